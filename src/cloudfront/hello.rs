//! CloudFront's ClientHello as bytes, and a reader for what the origin answers to it. Pure: no
//! sockets, no clock, no randomness of its own.
//!
//! [`client_hello`] builds the hello a [`Profile`] sends ([`crate::cloudfront::tls_profile`] holds the
//! lists and their sources). [`RecordReader`] takes the origin's bytes as they arrive and hands
//! back [`ServerMessage`]s: it buffers partial records (a read is not a record), reassembles
//! handshake messages split over records, splits records holding several, and stops with an error
//! rather than grow without bound. Once the handshake is encrypted (after a TLS 1.3 ServerHello,
//! or after a TLS 1.2 ChangeCipherSpec) records are reported as [`ServerMessage::Encrypted`].

use std::collections::VecDeque;

use crate::cloudfront::tls_profile::{Profile, TlsVersion};

/// The longest record accepted: 2^14 bytes of plaintext plus the 2048 bytes of expansion
/// RFC 5246 allows a TLS 1.2 ciphertext.
pub const MAX_RECORD_LEN: usize = (1 << 14) + 2048;
/// The longest handshake message accepted (a long certificate chain fits many times over).
pub const MAX_MESSAGE_LEN: usize = 256 * 1024;
/// The most bytes a [`RecordReader`] holds at once (records not yet read, plus handshake bytes
/// waiting for the rest of their message).
pub const MAX_BUFFERED: usize = 512 * 1024;
/// The longest server name sent in SNI (a DNS name has at most 253 characters).
pub const MAX_SNI_LEN: usize = 255;
/// How many leading bytes [`HelloError::NotTls`] keeps.
const KEPT_BYTES: usize = 24;

/// Record content types (RFC 8446 5.1).
const CHANGE_CIPHER_SPEC: u8 = 20;
const ALERT: u8 = 21;
const HANDSHAKE: u8 = 22;
const APPLICATION_DATA: u8 = 23;
const HEARTBEAT: u8 = 24;

/// Handshake message types.
const CLIENT_HELLO: u8 = 1;
const SERVER_HELLO: u8 = 2;
const CERTIFICATE: u8 = 11;
const SERVER_KEY_EXCHANGE: u8 = 12;
const CERTIFICATE_REQUEST: u8 = 13;
const SERVER_HELLO_DONE: u8 = 14;

/// Extension types.
const EXT_SERVER_NAME: u16 = 0x0000;
const EXT_SUPPORTED_GROUPS: u16 = 0x000a;
const EXT_EC_POINT_FORMATS: u16 = 0x000b;
const EXT_SIGNATURE_ALGORITHMS: u16 = 0x000d;
const EXT_SUPPORTED_VERSIONS: u16 = 0x002b;
const EXT_PSK_KEY_EXCHANGE_MODES: u16 = 0x002d;
const EXT_KEY_SHARE: u16 = 0x0033;
const EXT_RENEGOTIATION_INFO: u16 = 0xff01;

/// X25519's named-group code.
const X25519: u16 = 0x001d;

/// The ServerHello random that marks a HelloRetryRequest: SHA-256("HelloRetryRequest")
/// (RFC 8446 4.1.3).
const HELLO_RETRY_RANDOM: [u8; 32] = [
    0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91,
    0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C,
];

/// Builds one TLS record (content type 22) holding the ClientHello `profile` sends when it
/// offers versions up to `max_version`, naming `sni` (none for an IP origin).
///
/// - Up to TLS 1.2: `legacy_version` is `max_version`'s code, the record version 0x0301 (0x0300
///   for SSLv3), no `supported_versions`. The suites are the profile's TLS 1.2-and-older ones,
///   less those newer than `max_version` ([`Profile::suites_for`], as s2n does).
/// - TLS 1.3 (clamped to TLS 1.2 for a profile that does not offer it): `legacy_version`
///   0x0303, the TLS 1.3 suites then the older ones, `supported_versions` {1.3, 1.2, 1.1, 1.0}, one X25519
///   `key_share`, `psk_key_exchange_modes` {psk_dhe_ke}, and a 32-byte session id (middlebox
///   compatibility). The key share and session id are derived from `random`, so the same
///   arguments give the same bytes; the key share is a well-formed X25519 value that is not of
///   low order, but no private key exists for it: the handshake can go as far as the server's
///   first flight, never further.
/// - Always: compression null only; `server_name` (when `sni` is a name of 1 to
///   [`MAX_SNI_LEN`] bytes; sent as given), `supported_groups`, `ec_point_formats`
///   (uncompressed), `signature_algorithms` (only when offering TLS 1.2 or later: RFC 5246
///   7.4.1.4.1 and s2n's `should_send`), and an empty `renegotiation_info` (instead of the
///   TLS_EMPTY_RENEGOTIATION_INFO_SCSV suite; RFC 5746 treats both alike).
pub fn client_hello(
    profile: Profile,
    max_version: TlsVersion,
    sni: Option<&str>,
    random: [u8; 32],
) -> Vec<u8> {
    client_hello_for(&HelloOffer::cloudfront(profile, max_version), sni, random)
}

/// What a ClientHello offers: the highest version, suites, groups and signature schemes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelloOffer {
    /// Highest version offered.
    pub version: TlsVersion,
    /// Cipher suites, in preference order.
    pub suites: Vec<u16>,
    /// Named groups (`supported_groups`).
    pub groups: Vec<u16>,
    /// Signature schemes (`signature_algorithms`, TLS 1.2 and later).
    pub schemes: Vec<u16>,
}

/// Suites a diagnostic hello adds to CloudFront's: DHE, ChaCha20, CCM, 3DES and the null
/// (unencrypted) suites, so that an origin refusing CloudFront's offer shows what it would have
/// accepted. The diagnostic hello never carries data: offering null suites encrypts nothing.
const DIAGNOSTIC_EXTRA_SUITES: &[u16] = &[
    0xCCA8, 0xCCA9, 0xCCAA, // ChaCha20-Poly1305 (ECDHE-RSA, ECDHE-ECDSA, DHE-RSA)
    0x009E, 0x009F, 0x0067, 0x006B, 0x0033, 0x0039, // DHE-RSA AES
    0xC0AC, 0xC0AD, 0xC09C, 0xC09D, // CCM
    0xC012, 0xC008, 0x0016, // 3DES with (EC)DHE
    0xC010, 0xC006, 0x003B, 0x0002,
    0x0001, // NULL (ECDHE-RSA, ECDHE-ECDSA, RSA SHA256/SHA/MD5)
];
/// Groups a diagnostic hello adds: P-521, X448, FFDHE.
const DIAGNOSTIC_EXTRA_GROUPS: &[u16] = &[0x0019, 0x001e, 0x0100, 0x0101, 0x0102];
/// Schemes a diagnostic hello adds: Ed25519, Ed448, and every RSA-PSS scheme.
const DIAGNOSTIC_EXTRA_SCHEMES: &[u16] = &[
    0x0807, 0x0808, 0x0804, 0x0805, 0x0806, 0x0809, 0x080a, 0x080b,
];

impl HelloOffer {
    /// Exactly what `profile` offers up to `max_version` (clamped to TLS 1.2 when the profile
    /// has no TLS 1.3).
    pub fn cloudfront(profile: Profile, max_version: TlsVersion) -> HelloOffer {
        let version = if max_version == TlsVersion::Tls13 && !profile.offers_tls13() {
            TlsVersion::Tls12
        } else {
            max_version
        };
        HelloOffer {
            version,
            suites: profile.suites_for(version),
            groups: profile.curves().to_vec(),
            schemes: profile.signature_schemes().to_vec(),
        }
    }

    /// CloudFront's offer plus suites, groups and schemes CloudFront does not offer: a
    /// diagnostic, to tell a missing common suite from an unsupported key or signature.
    pub fn diagnostic(profile: Profile, max_version: TlsVersion) -> HelloOffer {
        let mut offer = HelloOffer::cloudfront(profile, max_version);
        let add = |list: &mut Vec<u16>, extra: &[u16]| {
            for item in extra {
                if !list.contains(item) {
                    list.push(*item);
                }
            }
        };
        add(&mut offer.suites, DIAGNOSTIC_EXTRA_SUITES);
        add(&mut offer.groups, DIAGNOSTIC_EXTRA_GROUPS);
        add(&mut offer.schemes, DIAGNOSTIC_EXTRA_SCHEMES);
        offer
    }

    /// The same offer without some suites.
    pub fn without_suites(mut self, removed: &[u16]) -> HelloOffer {
        self.suites.retain(|s| !removed.contains(s));
        self
    }
}

/// Builds one TLS record holding a ClientHello for `offer` (see [`client_hello`]).
pub fn client_hello_for(offer: &HelloOffer, sni: Option<&str>, random: [u8; 32]) -> Vec<u8> {
    let version = offer.version;
    let tls13 = version == TlsVersion::Tls13;
    let legacy_version = if tls13 {
        TlsVersion::Tls12.wire()
    } else {
        version.wire()
    };
    let record_version = if version == TlsVersion::Ssl3 {
        TlsVersion::Ssl3.wire()
    } else {
        TlsVersion::Tls10.wire()
    };
    let sni = sni.filter(|name| !name.is_empty() && name.len() <= MAX_SNI_LEN);

    let mut w = Writer::default();
    w.u8(HANDSHAKE);
    w.u16(record_version);
    w.prefixed(2, |w| {
        w.u8(CLIENT_HELLO);
        w.prefixed(3, |w| {
            w.u16(legacy_version);
            w.bytes(&random);
            w.prefixed(1, |w| {
                if tls13 {
                    w.bytes(&derive(&random, b's'));
                }
            });
            w.prefixed(2, |w| w.u16s(&offer.suites));
            w.prefixed(1, |w| w.u8(0)); // null compression
            w.prefixed(2, |w| {
                if let Some(name) = sni {
                    w.extension(EXT_SERVER_NAME, |w| {
                        w.prefixed(2, |w| {
                            w.u8(0); // host_name
                            w.prefixed(2, |w| w.bytes(name.as_bytes()));
                        })
                    });
                }
                w.extension(EXT_SUPPORTED_GROUPS, |w| {
                    w.prefixed(2, |w| w.u16s(&offer.groups))
                });
                w.extension(EXT_EC_POINT_FORMATS, |w| w.prefixed(1, |w| w.u8(0)));
                if version >= TlsVersion::Tls12 {
                    w.extension(EXT_SIGNATURE_ALGORITHMS, |w| {
                        w.prefixed(2, |w| w.u16s(&offer.schemes))
                    });
                }
                w.extension(EXT_RENEGOTIATION_INFO, |w| w.prefixed(1, |_| {}));
                if tls13 {
                    w.extension(EXT_SUPPORTED_VERSIONS, |w| {
                        // As s2n under CloudFront-Upstream-TLS-1-0-2025: TLS 1.3 down to 1.0.
                        w.prefixed(1, |w| {
                            for version in [
                                TlsVersion::Tls13,
                                TlsVersion::Tls12,
                                TlsVersion::Tls11,
                                TlsVersion::Tls10,
                            ] {
                                w.u16(version.wire());
                            }
                        })
                    });
                    w.extension(EXT_KEY_SHARE, |w| {
                        w.prefixed(2, |w| {
                            w.u16(X25519);
                            w.prefixed(2, |w| w.bytes(&x25519_share(&random)));
                        })
                    });
                    w.extension(EXT_PSK_KEY_EXCHANGE_MODES, |w| {
                        w.prefixed(1, |w| w.u8(1)) // psk_dhe_ke
                    });
                }
            });
        });
    });
    w.buf
}

/// 32 bytes derived from `random` and a label (FNV-1a then splitmix64): deterministic, and
/// different for each label.
fn derive(random: &[u8; 32], label: u8) -> [u8; 32] {
    let mut state: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in std::iter::once(&label).chain(random.iter()) {
        state ^= u64::from(b);
        state = state.wrapping_mul(0x0000_0100_0000_01b3);
    }
    let mut out = [0u8; 32];
    for chunk in out.chunks_mut(8) {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
        chunk.copy_from_slice(&z.to_le_bytes());
    }
    out
}

/// An X25519 public value derived from `random`. Servers refuse the values of low order
/// (their shared secret is zero). With the top bit cleared, as RFC 7748 has receivers do, those
/// are 0, 1, p-1, p, p+1 and two others, whose first (least significant) bytes are 0x00, 0x01,
/// 0xec, 0xed, 0xee, 0xe0 and 0x5f (libsodium's blocklist); a first byte in 0x10..=0x3f avoids
/// all of them.
fn x25519_share(random: &[u8; 32]) -> [u8; 32] {
    let mut share = derive(random, b'k');
    share[0] = 0x10 | (share[0] & 0x3f);
    share[31] &= 0x7f;
    share
}

/// Appends big-endian fields, with length prefixes filled in afterwards.
#[derive(Default)]
struct Writer {
    buf: Vec<u8>,
}

impl Writer {
    fn u8(&mut self, v: u8) {
        self.buf.push(v);
    }

    fn u16(&mut self, v: u16) {
        self.buf.extend_from_slice(&v.to_be_bytes());
    }

    fn u16s(&mut self, vs: &[u16]) {
        for &v in vs {
            self.u16(v);
        }
    }

    fn bytes(&mut self, b: &[u8]) {
        self.buf.extend_from_slice(b);
    }

    /// Writes what `f` writes, preceded by its length on `width` (1 to 3) bytes. Callers keep
    /// contents far below each width's limit (the whole hello is under 1 KiB).
    fn prefixed(&mut self, width: usize, f: impl FnOnce(&mut Writer)) {
        let width = width.clamp(1, 3);
        let start = self.buf.len();
        self.buf.resize(start + width, 0);
        f(self);
        let len = self.buf.len() - start - width;
        let be = u32::try_from(len).unwrap_or(u32::MAX).to_be_bytes();
        self.buf[start..start + width].copy_from_slice(&be[4 - width..]);
    }

    fn extension(&mut self, kind: u16, f: impl FnOnce(&mut Writer)) {
        self.u16(kind);
        self.prefixed(2, f);
    }
}

/// What the origin sent, one message at a time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerMessage {
    /// The ServerHello (or a TLS 1.3 HelloRetryRequest, which has the same shape).
    ServerHello {
        /// The negotiated version: the `supported_versions` extension's if present, else the
        /// legacy version field.
        version: u16,
        /// The chosen cipher suite's IANA code.
        cipher_suite: u16,
        /// Whether this is a HelloRetryRequest (its random is the RFC 8446 constant).
        hello_retry: bool,
    },
    /// The Certificate message of TLS 1.2 and older (in TLS 1.3 it is encrypted).
    Certificate {
        /// DER certificates, in the order sent.
        chain: Vec<Vec<u8>>,
    },
    /// ServerKeyExchange: a TLS 1.2 server's (EC)DHE parameters (not kept).
    ServerKeyExchange,
    /// CertificateRequest: the origin asks for a client certificate.
    CertificateRequest,
    /// ServerHelloDone: the end of a TLS 1.2 server's first flight.
    ServerHelloDone,
    /// An alert in the clear.
    Alert {
        /// 1 warning, 2 fatal.
        level: u8,
        /// The description code (see [`crate::cloudfront::alerts::alert_name`]).
        description: u8,
    },
    /// A ChangeCipherSpec record: after a TLS 1.2 ServerHello, what follows is `Encrypted`; in
    /// TLS 1.3 a compatibility no-op.
    ChangeCipherSpec,
    /// One record that cannot be read without keys: after a TLS 1.3 ServerHello, or after a
    /// TLS 1.2 ChangeCipherSpec.
    Encrypted,
    /// Any other handshake message in the clear.
    Other {
        /// The handshake type code, e.g. 22 for CertificateStatus (OCSP stapling).
        handshake_type: u8,
    },
}

/// Why the origin's bytes cannot be read as a TLS handshake.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HelloError {
    /// The first bytes are not a TLS record (content type not 20-24, or major version not 3).
    #[error("not TLS: the reply starts with {}", printable(first_bytes))]
    NotTls {
        /// The first bytes received (at most 24).
        first_bytes: Vec<u8>,
    },
    /// A record header announces more than [`MAX_RECORD_LEN`] bytes.
    #[error("record of {len} bytes (more than 2^14 + 2048)")]
    RecordTooLarge {
        /// The length the record header announces, in bytes.
        len: usize,
    },
    /// A handshake message announces more than [`MAX_MESSAGE_LEN`] bytes.
    #[error("handshake message of {len} bytes (more than 256 KiB)")]
    MessageTooLarge {
        /// The length the message header announces, in bytes.
        len: usize,
    },
    /// More than [`MAX_BUFFERED`] bytes would be held.
    #[error("{len} bytes buffered (more than 512 KiB)")]
    BufferFull {
        /// How many bytes would have been held.
        len: usize,
    },
    /// The bytes are TLS records, but break the protocol.
    #[error("malformed TLS: {0}")]
    Malformed(&'static str),
}

impl HelloError {
    /// Whether the reply is not TLS at all.
    pub fn is_not_tls(&self) -> bool {
        matches!(self, HelloError::NotTls { .. })
    }

    /// Whether a record was too long.
    pub fn is_record_too_large(&self) -> bool {
        matches!(self, HelloError::RecordTooLarge { .. })
    }

    /// Whether a handshake message was too long.
    pub fn is_message_too_large(&self) -> bool {
        matches!(self, HelloError::MessageTooLarge { .. })
    }

    /// Whether too many bytes were buffered.
    pub fn is_buffer_full(&self) -> bool {
        matches!(self, HelloError::BufferFull { .. })
    }

    /// Whether the records broke the protocol.
    pub fn is_malformed(&self) -> bool {
        matches!(self, HelloError::Malformed(_))
    }
}

/// Bytes as text for an error message: printable ASCII kept, the rest as `\xNN`.
fn printable(bytes: &[u8]) -> String {
    bytes
        .iter()
        .flat_map(|b| std::ascii::escape_default(*b))
        .map(char::from)
        .collect()
}

/// Whether `bytes` can start a TLS record: a known content type, then major version 3.
fn starts_like_tls(bytes: &[u8]) -> bool {
    let type_ok = bytes
        .first()
        .is_none_or(|t| (CHANGE_CIPHER_SPEC..=HEARTBEAT).contains(t));
    let major_ok = bytes.get(1).is_none_or(|&major| major == 3);
    type_ok && major_ok
}

/// Reads the origin's records into [`ServerMessage`]s, whatever the size of each read.
///
/// Feed it with [`RecordReader::push`], then call [`RecordReader::next_message`] until it gives
/// `Ok(None)` (it needs more bytes). Errors are final: once one is returned, every later call
/// returns it again. A message read before an error is returned before the error. Heartbeat
/// records are skipped.
#[derive(Debug, Default)]
pub struct RecordReader {
    /// Received bytes not yet cut into records.
    input: Vec<u8>,
    /// Handshake bytes waiting to be cut into messages.
    handshake: Vec<u8>,
    /// Messages from the last record, not yet handed out.
    ready: VecDeque<ServerMessage>,
    /// Records read so far.
    records: usize,
    /// The version of the last ServerHello that was not a HelloRetryRequest.
    negotiated: Option<u16>,
    /// Whether records are encrypted from now on.
    encrypted: bool,
    /// The largest handshake message length announced so far.
    largest: Option<usize>,
    /// The error every later call returns.
    failed: Option<HelloError>,
}

impl RecordReader {
    /// A reader that has seen nothing yet.
    pub fn new() -> RecordReader {
        RecordReader::default()
    }

    /// Adds bytes as received. Fails if they cannot start a TLS reply (the first record only),
    /// or if more than [`MAX_BUFFERED`] bytes would be held.
    pub fn push(&mut self, bytes: &[u8]) -> Result<(), HelloError> {
        if let Some(error) = &self.failed {
            return Err(error.clone());
        }
        if self.records == 0 && self.input.len() < 2 {
            let head: Vec<u8> = self
                .input
                .iter()
                .chain(bytes.iter())
                .take(KEPT_BYTES)
                .copied()
                .collect();
            if !starts_like_tls(&head) {
                return Err(self.fail(HelloError::NotTls { first_bytes: head }));
            }
        }
        let len = self.input.len() + self.handshake.len() + bytes.len();
        if len > MAX_BUFFERED {
            return Err(self.fail(HelloError::BufferFull { len }));
        }
        self.input.extend_from_slice(bytes);
        Ok(())
    }

    /// The next message, `Ok(None)` if more bytes are needed first.
    pub fn next_message(&mut self) -> Result<Option<ServerMessage>, HelloError> {
        if let Some(error) = &self.failed {
            return Err(error.clone());
        }
        match self.step() {
            Ok(message) => Ok(message),
            Err(error) => Err(self.fail(error)),
        }
    }

    /// How many bytes are held (records not yet read and partial handshake messages).
    pub fn buffered(&self) -> usize {
        self.input.len() + self.handshake.len()
    }

    /// How many complete records have been read.
    pub fn records_read(&self) -> usize {
        self.records
    }

    /// The largest handshake message length announced so far (its header read, its body
    /// perhaps not yet).
    pub fn largest_message(&self) -> Option<usize> {
        self.largest
    }

    /// Whether the reader has seen the handshake turn encrypted.
    pub fn is_encrypted(&self) -> bool {
        self.encrypted
    }

    fn fail(&mut self, error: HelloError) -> HelloError {
        self.failed = Some(error.clone());
        error
    }

    fn step(&mut self) -> Result<Option<ServerMessage>, HelloError> {
        loop {
            if let Some(message) = self.ready.pop_front() {
                return Ok(Some(message));
            }
            if let Some(message) = self.next_handshake_message()? {
                return Ok(Some(message));
            }
            if !self.read_record()? {
                return Ok(None);
            }
        }
    }

    /// Cuts one complete handshake message off the handshake buffer.
    fn next_handshake_message(&mut self) -> Result<Option<ServerMessage>, HelloError> {
        let [kind, a, b, c, ..] = self.handshake[..] else {
            return Ok(None);
        };
        let len = usize::from(a) << 16 | usize::from(b) << 8 | usize::from(c);
        self.largest = self.largest.max(Some(len));
        if len > MAX_MESSAGE_LEN {
            return Err(HelloError::MessageTooLarge { len });
        }
        let Some(body) = self.handshake.get(4..4 + len) else {
            return Ok(None);
        };
        let message = parse_handshake(kind, body)?;
        self.handshake.drain(..4 + len);
        if let ServerMessage::ServerHello {
            version,
            hello_retry: false,
            ..
        } = message
        {
            self.negotiated = Some(version);
            if version >= TlsVersion::Tls13.wire() {
                self.encrypted = true;
                if !self.handshake.is_empty() {
                    // The keys change after the ServerHello: it must end its record. Report the
                    // ServerHello, then this.
                    self.handshake.clear();
                    self.failed = Some(HelloError::Malformed(
                        "handshake bytes follow a TLS 1.3 ServerHello in its record",
                    ));
                }
            }
        }
        Ok(Some(message))
    }

    /// Reads one complete record, if buffered. Returns whether one was read.
    fn read_record(&mut self) -> Result<bool, HelloError> {
        if !starts_like_tls(&self.input) {
            return Err(if self.records == 0 {
                HelloError::NotTls {
                    first_bytes: self.input.iter().take(KEPT_BYTES).copied().collect(),
                }
            } else {
                HelloError::Malformed("a record header that is not TLS")
            });
        }
        let [kind, _, _, hi, lo, ..] = self.input[..] else {
            return Ok(false);
        };
        let len = usize::from(u16::from_be_bytes([hi, lo]));
        if len > MAX_RECORD_LEN {
            return Err(HelloError::RecordTooLarge { len });
        }
        let Some(fragment) = self.input.get(5..5 + len) else {
            return Ok(false);
        };
        let fragment = fragment.to_vec();
        self.input.drain(..5 + len);
        self.records += 1;
        self.take_record(kind, &fragment)?;
        Ok(true)
    }

    fn take_record(&mut self, kind: u8, fragment: &[u8]) -> Result<(), HelloError> {
        match kind {
            CHANGE_CIPHER_SPEC => {
                if !self.handshake.is_empty() {
                    return Err(HelloError::Malformed(
                        "ChangeCipherSpec inside a fragmented handshake message",
                    ));
                }
                if fragment != [1] {
                    return Err(HelloError::Malformed(
                        "a ChangeCipherSpec record that is not the single byte 1",
                    ));
                }
                // In TLS 1.3 it is a compatibility no-op (it may even follow a
                // HelloRetryRequest); in TLS 1.2 what follows is encrypted.
                if self
                    .negotiated
                    .is_some_and(|v| v < TlsVersion::Tls13.wire())
                {
                    self.encrypted = true;
                }
                self.ready.push_back(ServerMessage::ChangeCipherSpec);
            }
            ALERT => {
                if self.encrypted && fragment.len() != 2 {
                    self.ready.push_back(ServerMessage::Encrypted);
                } else if fragment.is_empty() || !fragment.len().is_multiple_of(2) {
                    return Err(HelloError::Malformed(
                        "an alert record with a partial alert",
                    ));
                } else {
                    for pair in fragment.chunks_exact(2) {
                        if let [level, description] = *pair {
                            self.ready
                                .push_back(ServerMessage::Alert { level, description });
                        }
                    }
                }
            }
            HANDSHAKE => {
                if self.encrypted {
                    self.ready.push_back(ServerMessage::Encrypted);
                } else {
                    // An empty fragment adds nothing; the buffer's size was counted in push.
                    self.handshake.extend_from_slice(fragment);
                }
            }
            APPLICATION_DATA => {
                if !self.encrypted {
                    return Err(HelloError::Malformed(
                        "application data before the handshake is encrypted",
                    ));
                }
                self.ready.push_back(ServerMessage::Encrypted);
            }
            // Heartbeat records carry nothing about the handshake.
            _ => {}
        }
        Ok(())
    }
}

/// Reads big-endian fields; running short is a [`HelloError::Malformed`] naming the message.
struct Cursor<'a> {
    data: &'a [u8],
    what: &'static str,
}

impl<'a> Cursor<'a> {
    fn new(data: &'a [u8], what: &'static str) -> Cursor<'a> {
        Cursor { data, what }
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], HelloError> {
        if n > self.data.len() {
            return Err(HelloError::Malformed(self.what));
        }
        let (head, rest) = self.data.split_at(n);
        self.data = rest;
        Ok(head)
    }

    fn u8(&mut self) -> Result<u8, HelloError> {
        match *self.take(1)? {
            [b] => Ok(b),
            _ => Err(HelloError::Malformed(self.what)),
        }
    }

    fn u16(&mut self) -> Result<u16, HelloError> {
        match *self.take(2)? {
            [a, b] => Ok(u16::from_be_bytes([a, b])),
            _ => Err(HelloError::Malformed(self.what)),
        }
    }

    fn u24(&mut self) -> Result<usize, HelloError> {
        match *self.take(3)? {
            [a, b, c] => Ok(usize::from(a) << 16 | usize::from(b) << 8 | usize::from(c)),
            _ => Err(HelloError::Malformed(self.what)),
        }
    }

    fn is_empty(&self) -> bool {
        self.data.is_empty()
    }
}

fn parse_handshake(kind: u8, body: &[u8]) -> Result<ServerMessage, HelloError> {
    Ok(match kind {
        SERVER_HELLO => parse_server_hello(body)?,
        CERTIFICATE => parse_certificate(body)?,
        SERVER_KEY_EXCHANGE => ServerMessage::ServerKeyExchange,
        CERTIFICATE_REQUEST => ServerMessage::CertificateRequest,
        SERVER_HELLO_DONE => ServerMessage::ServerHelloDone,
        other => ServerMessage::Other {
            handshake_type: other,
        },
    })
}

fn parse_server_hello(body: &[u8]) -> Result<ServerMessage, HelloError> {
    let mut r = Cursor::new(body, "a truncated ServerHello");
    let legacy_version = r.u16()?;
    let random = r.take(32)?;
    let session_id_len = usize::from(r.u8()?);
    r.take(session_id_len)?;
    let cipher_suite = r.u16()?;
    let _compression = r.u8()?;
    let mut version = legacy_version;
    if !r.is_empty() {
        let len = usize::from(r.u16()?);
        let mut extensions = Cursor::new(r.take(len)?, "a truncated ServerHello extension");
        if !r.is_empty() {
            return Err(HelloError::Malformed(
                "bytes after the ServerHello extensions",
            ));
        }
        while !extensions.is_empty() {
            let kind = extensions.u16()?;
            let len = usize::from(extensions.u16()?);
            let data = extensions.take(len)?;
            if kind == EXT_SUPPORTED_VERSIONS {
                version = match *data {
                    [a, b] => u16::from_be_bytes([a, b]),
                    _ => {
                        return Err(HelloError::Malformed(
                            "a ServerHello supported_versions that is not one version",
                        ))
                    }
                };
            }
        }
    }
    Ok(ServerMessage::ServerHello {
        version,
        cipher_suite,
        hello_retry: random == HELLO_RETRY_RANDOM,
    })
}

/// The TLS 1.2 Certificate message: a 24-bit-length list of 24-bit-length DER certificates.
fn parse_certificate(body: &[u8]) -> Result<ServerMessage, HelloError> {
    let mut r = Cursor::new(body, "a truncated Certificate message");
    let len = r.u24()?;
    let mut list = Cursor::new(r.take(len)?, "a truncated certificate in the chain");
    if !r.is_empty() {
        return Err(HelloError::Malformed("bytes after the certificate list"));
    }
    let mut chain = Vec::new();
    while !list.is_empty() {
        let len = list.u24()?;
        chain.push(list.take(len)?.to_vec());
    }
    Ok(ServerMessage::Certificate { chain })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cloudfront::alerts::alert_name;
    use tls_parser::{
        parse_tls_client_hello_extensions, parse_tls_plaintext, TlsExtension, TlsMessage,
        TlsMessageHandshake, TlsRecordType,
    };

    const SNI: &str = "origin.example.com";

    // ---- the ClientHello, read back with tls-parser ----

    /// What tls-parser reads in one hello.
    struct Parsed {
        record_version: u16,
        legacy_version: u16,
        random: Vec<u8>,
        session_id: Vec<u8>,
        suites: Vec<u16>,
        compression: Vec<u8>,
        sni: Option<Vec<u8>>,
        groups: Option<Vec<u16>>,
        point_formats: Option<Vec<u8>>,
        signature_schemes: Option<Vec<u16>>,
        renegotiation_info: Option<Vec<u8>>,
        supported_versions: Option<Vec<u16>>,
        key_share: Option<Vec<u8>>,
        psk_modes: Option<Vec<u8>>,
        extension_count: usize,
    }

    fn parse_hello(bytes: &[u8]) -> Parsed {
        let (rest, record) = parse_tls_plaintext(bytes).expect("a TLS record");
        assert!(rest.is_empty(), "one record, nothing after it");
        assert_eq!(record.hdr.record_type, TlsRecordType::Handshake);
        assert_eq!(usize::from(record.hdr.len), bytes.len() - 5);
        assert_eq!(record.msg.len(), 1);
        let TlsMessage::Handshake(TlsMessageHandshake::ClientHello(ch)) = &record.msg[0] else {
            panic!("not a ClientHello: {:?}", record.msg[0]);
        };
        let mut parsed = Parsed {
            record_version: record.hdr.version.0,
            legacy_version: ch.version.0,
            random: ch.random.to_vec(),
            session_id: ch.session_id.map(<[u8]>::to_vec).unwrap_or_default(),
            suites: ch.ciphers.iter().map(|c| c.0).collect(),
            compression: ch.comp.iter().map(|c| c.0).collect(),
            sni: None,
            groups: None,
            point_formats: None,
            signature_schemes: None,
            renegotiation_info: None,
            supported_versions: None,
            key_share: None,
            psk_modes: None,
            extension_count: 0,
        };
        let (rest, extensions) =
            parse_tls_client_hello_extensions(ch.ext.expect("extensions")).expect("extensions");
        assert!(rest.is_empty());
        parsed.extension_count = extensions.len();
        for ext in extensions {
            match ext {
                TlsExtension::SNI(names) => {
                    assert_eq!(names.len(), 1);
                    assert_eq!(names[0].0 .0, 0, "host_name");
                    parsed.sni = Some(names[0].1.to_vec());
                }
                TlsExtension::EllipticCurves(groups) => {
                    parsed.groups = Some(groups.iter().map(|g| g.0).collect())
                }
                TlsExtension::EcPointFormats(f) => parsed.point_formats = Some(f.to_vec()),
                TlsExtension::SignatureAlgorithms(s) => parsed.signature_schemes = Some(s),
                TlsExtension::RenegotiationInfo(r) => parsed.renegotiation_info = Some(r.to_vec()),
                TlsExtension::SupportedVersions(v) => {
                    parsed.supported_versions = Some(v.iter().map(|v| v.0).collect())
                }
                TlsExtension::KeyShare(k) => parsed.key_share = Some(k.to_vec()),
                TlsExtension::PskExchangeModes(m) => parsed.psk_modes = Some(m),
                other => panic!("unexpected extension {other:?}"),
            }
        }
        parsed
    }

    #[test]
    fn cfhello_round_trips_for_every_profile_and_version() {
        let random = [0x42; 32];
        for profile in Profile::ALL {
            for max in TlsVersion::ALL {
                let bytes = client_hello(profile, max, Some(SNI), random);
                let p = parse_hello(&bytes);
                let effective = if max == TlsVersion::Tls13 && !profile.offers_tls13() {
                    TlsVersion::Tls12
                } else {
                    max
                };
                let what = format!("{profile} {max}");
                let tls13 = effective == TlsVersion::Tls13;
                let expected_record = if max == TlsVersion::Ssl3 {
                    0x0300
                } else {
                    0x0301
                };
                assert_eq!(p.record_version, expected_record, "{what}");
                let expected_legacy = if tls13 { 0x0303 } else { effective.wire() };
                assert_eq!(p.legacy_version, expected_legacy, "{what}");
                assert_eq!(p.random, random, "{what}");
                assert_eq!(p.suites, profile.suites_for(effective), "{what}");
                assert!(!p.suites.contains(&0x00FF), "{what}: no SCSV");
                assert_eq!(p.compression, vec![0], "{what}");
                assert_eq!(p.sni.as_deref(), Some(SNI.as_bytes()), "{what}");
                assert_eq!(p.groups.as_deref(), Some(profile.curves()), "{what}");
                assert_eq!(p.point_formats, Some(vec![0]), "{what}");
                assert_eq!(p.renegotiation_info, Some(vec![]), "{what}");
                if effective >= TlsVersion::Tls12 {
                    assert_eq!(
                        p.signature_schemes.as_deref(),
                        Some(profile.signature_schemes()),
                        "{what}"
                    );
                } else {
                    assert_eq!(p.signature_schemes, None, "{what}");
                }
                if tls13 {
                    assert_eq!(p.session_id.len(), 32, "{what}");
                    assert_eq!(&p.suites[..3], profile.tls13_suites(), "{what}");
                    assert_eq!(
                        p.supported_versions,
                        Some(vec![0x0304, 0x0303, 0x0302, 0x0301]),
                        "{what}"
                    );
                    let share = p.key_share.expect("key_share");
                    // client_shares length, then one KeyShareEntry: X25519, 32 bytes.
                    assert_eq!(share.len(), 2 + 2 + 2 + 32, "{what}");
                    assert_eq!(&share[..6], &[0x00, 0x24, 0x00, 0x1d, 0x00, 0x20], "{what}");
                    assert_eq!(p.psk_modes, Some(vec![1]), "{what}");
                    assert_eq!(p.extension_count, 8, "{what}");
                } else {
                    assert!(p.session_id.is_empty(), "{what}");
                    assert!(p.suites.iter().all(|s| s >> 8 != 0x13), "{what}");
                    assert_eq!(p.supported_versions, None, "{what}");
                    assert_eq!(p.key_share, None, "{what}");
                    assert_eq!(p.psk_modes, None, "{what}");
                }
            }
        }
    }

    #[test]
    fn cfhello_sni_only_when_given_and_sensible() {
        let random = [1; 32];
        let without = parse_hello(&client_hello(
            Profile::Y2025,
            TlsVersion::Tls13,
            None,
            random,
        ));
        assert_eq!(without.sni, None);
        let empty = parse_hello(&client_hello(
            Profile::Y2025,
            TlsVersion::Tls12,
            Some(""),
            random,
        ));
        assert_eq!(empty.sni, None);
        let long = "a".repeat(MAX_SNI_LEN + 1);
        let too_long = client_hello(Profile::Legacy, TlsVersion::Tls12, Some(&long), random);
        assert_eq!(parse_hello(&too_long).sni, None);
        let longest = "b".repeat(MAX_SNI_LEN);
        let ok = client_hello(Profile::Legacy, TlsVersion::Tls12, Some(&longest), random);
        assert_eq!(parse_hello(&ok).sni, Some(longest.into_bytes()));
    }

    #[test]
    fn cfhello_is_deterministic_and_derives_from_random() {
        let a = client_hello(Profile::Y2025, TlsVersion::Tls13, Some(SNI), [9; 32]);
        let b = client_hello(Profile::Y2025, TlsVersion::Tls13, Some(SNI), [9; 32]);
        let c = client_hello(Profile::Y2025, TlsVersion::Tls13, Some(SNI), [10; 32]);
        assert_eq!(a, b);
        assert_ne!(a, c);
        let (pa, pc) = (parse_hello(&a), parse_hello(&c));
        assert_ne!(pa.session_id, pc.session_id);
        assert_ne!(pa.key_share, pc.key_share);
        assert_ne!(pa.session_id, pa.random);
        assert_ne!(
            pa.key_share.as_deref().map(|k| &k[6..]),
            Some(&pa.session_id[..])
        );
    }

    #[test]
    fn cfhello_key_share_is_never_a_low_order_point() {
        for seed in 0..=255u8 {
            let mut random = [seed; 32];
            random[5] = seed.wrapping_mul(7);
            let share = x25519_share(&random);
            assert!((0x10..=0x3f).contains(&share[0]));
            assert_eq!(share[31] & 0x80, 0);
        }
        let zero = x25519_share(&[0; 32]);
        assert_ne!(zero, [0; 32]);
    }

    #[test]
    fn cfhello_legacy_tls13_request_falls_back_to_tls12() {
        let a = client_hello(Profile::Legacy, TlsVersion::Tls13, Some(SNI), [3; 32]);
        let b = client_hello(Profile::Legacy, TlsVersion::Tls12, Some(SNI), [3; 32]);
        assert_eq!(a, b);
    }

    // ---- the reader, fed with hand-built server bytes ----

    fn record(kind: u8, body: &[u8]) -> Vec<u8> {
        let len = u16::try_from(body.len()).expect("test record fits");
        let mut out = vec![kind, 3, 3];
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(body);
        out
    }

    fn u24(len: usize) -> [u8; 3] {
        let b = u32::try_from(len).expect("fits").to_be_bytes();
        [b[1], b[2], b[3]]
    }

    fn handshake(kind: u8, body: &[u8]) -> Vec<u8> {
        let mut out = vec![kind];
        out.extend_from_slice(&u24(body.len()));
        out.extend_from_slice(body);
        out
    }

    fn server_hello(legacy: u16, random: [u8; 32], suite: u16, exts: &[(u16, &[u8])]) -> Vec<u8> {
        let mut body = legacy.to_be_bytes().to_vec();
        body.extend_from_slice(&random);
        body.push(32);
        body.extend_from_slice(&[0x5a; 32]);
        body.extend_from_slice(&suite.to_be_bytes());
        body.push(0);
        if !exts.is_empty() {
            let mut list = Vec::new();
            for (kind, data) in exts {
                list.extend_from_slice(&kind.to_be_bytes());
                list.extend_from_slice(&(data.len() as u16).to_be_bytes());
                list.extend_from_slice(data);
            }
            body.extend_from_slice(&(list.len() as u16).to_be_bytes());
            body.extend_from_slice(&list);
        }
        handshake(SERVER_HELLO, &body)
    }

    fn certificate(chain: &[Vec<u8>]) -> Vec<u8> {
        let mut list = Vec::new();
        for cert in chain {
            list.extend_from_slice(&u24(cert.len()));
            list.extend_from_slice(cert);
        }
        let mut body = u24(list.len()).to_vec();
        body.extend_from_slice(&list);
        handshake(CERTIFICATE, &body)
    }

    fn fake_der(len: usize, seed: u8) -> Vec<u8> {
        (0..len).map(|i| seed.wrapping_add(i as u8)).collect()
    }

    /// Drains every message available.
    fn drain(reader: &mut RecordReader) -> Result<Vec<ServerMessage>, HelloError> {
        let mut out = Vec::new();
        while let Some(m) = reader.next_message()? {
            out.push(m);
        }
        Ok(out)
    }

    fn feed(chunks: &[&[u8]]) -> Result<Vec<ServerMessage>, HelloError> {
        let mut reader = RecordReader::new();
        let mut out = Vec::new();
        for chunk in chunks {
            reader.push(chunk)?;
            out.extend(drain(&mut reader)?);
        }
        Ok(out)
    }

    fn tls12_flight() -> (Vec<u8>, Vec<ServerMessage>) {
        let chain = vec![fake_der(700, 1), fake_der(400, 2)];
        let mut bytes = record(
            HANDSHAKE,
            &server_hello(0x0303, [7; 32], 0xC02F, &[(EXT_RENEGOTIATION_INFO, &[0])]),
        );
        bytes.extend(record(HANDSHAKE, &certificate(&chain)));
        bytes.extend(record(HANDSHAKE, &handshake(SERVER_HELLO_DONE, &[])));
        let expected = vec![
            ServerMessage::ServerHello {
                version: 0x0303,
                cipher_suite: 0xC02F,
                hello_retry: false,
            },
            ServerMessage::Certificate { chain },
            ServerMessage::ServerHelloDone,
        ];
        (bytes, expected)
    }

    #[test]
    fn cfhello_reader_flight_split_at_every_byte_boundary() {
        let (bytes, expected) = tls12_flight();
        for cut in 0..=bytes.len() {
            let (a, b) = bytes.split_at(cut);
            assert_eq!(feed(&[a, b]), Ok(expected.clone()), "cut at {cut}");
        }
        for first in (0..bytes.len()).step_by(37) {
            for second in (first..=bytes.len()).step_by(53) {
                let chunks = [&bytes[..first], &bytes[first..second], &bytes[second..]];
                assert_eq!(feed(&chunks), Ok(expected.clone()), "{first}/{second}");
            }
        }
    }

    #[test]
    fn cfhello_reader_one_byte_at_a_time() {
        let (bytes, expected) = tls12_flight();
        let chunks: Vec<&[u8]> = bytes.chunks(1).collect();
        assert_eq!(feed(&chunks), Ok(expected));
    }

    #[test]
    fn cfhello_reader_truncated_input_needs_more_bytes() {
        let (bytes, expected) = tls12_flight();
        let mut reader = RecordReader::new();
        for (i, byte) in bytes.iter().enumerate() {
            if i + 1 < 5 + 4 + 38 {
                // Not even the whole ServerHello record yet.
                assert_eq!(reader.next_message(), Ok(None), "at {i}");
            }
            reader.push(&[*byte]).unwrap();
        }
        assert_eq!(drain(&mut reader), Ok(expected));
        assert_eq!(reader.next_message(), Ok(None));
        assert_eq!(reader.buffered(), 0);
        assert_eq!(reader.records_read(), 3);

        let mut partial = RecordReader::new();
        partial.push(&bytes[..bytes.len() - 1]).unwrap();
        assert_eq!(drain(&mut partial).map(|m| m.len()), Ok(2));
        assert_eq!(partial.next_message(), Ok(None));
    }

    #[test]
    fn cfhello_reader_two_messages_in_one_record() {
        let mut body = server_hello(0x0303, [7; 32], 0x002F, &[]);
        body.extend(handshake(SERVER_HELLO_DONE, &[]));
        let got = feed(&[&record(HANDSHAKE, &body)]).unwrap();
        assert_eq!(
            got,
            vec![
                ServerMessage::ServerHello {
                    version: 0x0303,
                    cipher_suite: 0x002F,
                    hello_retry: false
                },
                ServerMessage::ServerHelloDone
            ]
        );
    }

    #[test]
    fn cfhello_reader_certificate_spanning_two_records() {
        let chain = vec![fake_der(20_000, 3), fake_der(1500, 4)];
        let sh = server_hello(0x0303, [7; 32], 0xC030, &[]);
        let cert = certificate(&chain);
        let done = handshake(SERVER_HELLO_DONE, &[]);
        // Record 1: ServerHello and the start of the Certificate; record 2: the rest of it (a
        // full 16 KiB record); record 3: its end and ServerHelloDone.
        let mut first = sh.clone();
        first.extend_from_slice(&cert[..100]);
        let second = &cert[100..100 + 16_384];
        let mut third = cert[100 + 16_384..].to_vec();
        third.extend_from_slice(&done);
        let mut bytes = record(HANDSHAKE, &first);
        bytes.extend(record(HANDSHAKE, second));
        bytes.extend(record(HANDSHAKE, &third));
        let got = feed(&[&bytes]).unwrap();
        assert_eq!(got.len(), 3);
        assert_eq!(got[1], ServerMessage::Certificate { chain });
        assert_eq!(got[2], ServerMessage::ServerHelloDone);
    }

    #[test]
    fn cfhello_reader_alert() {
        let got = feed(&[&record(ALERT, &[2, 40])]).unwrap();
        assert_eq!(
            got,
            vec![ServerMessage::Alert {
                level: 2,
                description: 40
            }]
        );
        assert_eq!(alert_name(40), "handshake_failure");
        assert_eq!(alert_name(70), "protocol_version");
        assert_eq!(alert_name(71), "insufficient_security");
        assert_eq!(alert_name(47), "illegal_parameter");
        assert_eq!(alert_name(112), "unrecognized_name");
        assert_eq!(alert_name(116), "certificate_required");
        assert_eq!(alert_name(80), "internal_error");
        assert_eq!(alert_name(0), "close_notify");
        assert_eq!(alert_name(10), "unexpected_message");
        assert_eq!(alert_name(255), "unknown");
        // Two alerts in one record, and an alert record of odd length.
        let two = feed(&[&record(ALERT, &[1, 112, 2, 40])]).unwrap();
        assert_eq!(two.len(), 2);
        assert!(feed(&[&record(ALERT, &[2])]).unwrap_err().is_malformed());
    }

    #[test]
    fn cfhello_reader_http_is_not_tls() {
        let reply = b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n";
        let mut reader = RecordReader::new();
        let err = reader.push(reply).unwrap_err();
        assert!(err.is_not_tls());
        assert_eq!(
            err,
            HelloError::NotTls {
                first_bytes: b"HTTP/1.1 400 Bad Request".to_vec()
            }
        );
        assert!(err.to_string().contains("HTTP/1.1 400"), "{err}");
        // Errors are final.
        assert_eq!(reader.next_message(), Err(err.clone()));
        assert_eq!(reader.push(b"more"), Err(err));
        // The same, a byte at a time; and a plausible type with a wrong major version.
        let chunks: Vec<&[u8]> = reply.chunks(1).collect();
        assert!(feed(&chunks).unwrap_err().is_not_tls());
        assert!(feed(&[&[22], &[2, 0]]).unwrap_err().is_not_tls());
        assert!(feed(&[&[0x80, 0x2e, 0x02]]).unwrap_err().is_not_tls()); // SSLv2
    }

    #[test]
    fn cfhello_reader_bad_header_after_a_record_is_malformed() {
        let mut bytes = record(ALERT, &[1, 0]);
        bytes.extend_from_slice(b"HTTP/1.1");
        let mut reader = RecordReader::new();
        reader.push(&bytes).unwrap();
        assert!(reader.next_message().unwrap().is_some());
        assert!(reader.next_message().unwrap_err().is_malformed());
    }

    #[test]
    fn cfhello_reader_caps() {
        // A record one byte over the limit, refused from its header alone.
        let over = u16::try_from(MAX_RECORD_LEN + 1).unwrap().to_be_bytes();
        let err = feed(&[&[22, 3, 3, over[0], over[1]]]).unwrap_err();
        assert_eq!(
            err,
            HelloError::RecordTooLarge {
                len: MAX_RECORD_LEN + 1
            }
        );
        assert!(err.is_record_too_large());
        // At the limit it only waits for the bytes.
        let at = u16::try_from(MAX_RECORD_LEN).unwrap().to_be_bytes();
        assert_eq!(feed(&[&[22, 3, 3, at[0], at[1]]]), Ok(vec![]));

        // A handshake message announcing more than 256 KiB.
        let big = u24(MAX_MESSAGE_LEN + 1);
        let err = feed(&[&record(HANDSHAKE, &[CERTIFICATE, big[0], big[1], big[2]])]).unwrap_err();
        assert_eq!(
            err,
            HelloError::MessageTooLarge {
                len: MAX_MESSAGE_LEN + 1
            }
        );
        assert!(err.is_message_too_large());

        // More than 512 KiB held.
        let mut reader = RecordReader::new();
        reader.push(&[22, 3, 3, 0x40, 0x00]).unwrap();
        let err = reader.push(&vec![0; MAX_BUFFERED]).unwrap_err();
        assert!(err.is_buffer_full());
        assert!(reader.buffered() <= MAX_BUFFERED);
    }

    #[test]
    fn cfhello_reader_long_message_within_caps() {
        // A 100 KiB chain over seven records: reassembled, never over the caps.
        let chain: Vec<Vec<u8>> = (0..5).map(|i| fake_der(20_000, i)).collect();
        let cert = certificate(&chain);
        let mut bytes = Vec::new();
        for piece in cert.chunks(16_384) {
            bytes.extend(record(HANDSHAKE, piece));
        }
        let chunks: Vec<&[u8]> = bytes.chunks(1400).collect();
        assert_eq!(
            feed(&chunks),
            Ok(vec![ServerMessage::Certificate { chain }])
        );
    }

    #[test]
    fn cfhello_reader_tls13_server_hello_then_encrypted() {
        let sh = server_hello(
            0x0303,
            [8; 32],
            0x1301,
            &[
                (EXT_SUPPORTED_VERSIONS, &[0x03, 0x04]),
                (EXT_KEY_SHARE, &[0x00, 0x1d, 0x00, 0x02, 0xaa, 0xbb]),
            ],
        );
        let mut bytes = record(HANDSHAKE, &sh);
        bytes.extend(record(CHANGE_CIPHER_SPEC, &[1]));
        bytes.extend(record(APPLICATION_DATA, &[0x17; 90]));
        bytes.extend(record(APPLICATION_DATA, &[0x17; 3000]));
        let mut reader = RecordReader::new();
        reader.push(&bytes).unwrap();
        assert_eq!(
            drain(&mut reader),
            Ok(vec![
                ServerMessage::ServerHello {
                    version: 0x0304,
                    cipher_suite: 0x1301,
                    hello_retry: false
                },
                ServerMessage::ChangeCipherSpec,
                ServerMessage::Encrypted,
                ServerMessage::Encrypted,
            ])
        );
        assert!(reader.is_encrypted());
    }

    #[test]
    fn cfhello_reader_tls13_server_hello_must_end_its_record() {
        let mut body = server_hello(
            0x0303,
            [8; 32],
            0x1302,
            &[(EXT_SUPPORTED_VERSIONS, &[3, 4])],
        );
        body.extend(handshake(8, &[0, 0]));
        let mut reader = RecordReader::new();
        reader.push(&record(HANDSHAKE, &body)).unwrap();
        assert!(matches!(
            reader.next_message(),
            Ok(Some(ServerMessage::ServerHello {
                version: 0x0304,
                ..
            }))
        ));
        assert!(reader.next_message().unwrap_err().is_malformed());
    }

    #[test]
    fn cfhello_reader_hello_retry_request() {
        let hrr = server_hello(
            0x0303,
            HELLO_RETRY_RANDOM,
            0x1301,
            &[
                (EXT_SUPPORTED_VERSIONS, &[0x03, 0x04]),
                (EXT_KEY_SHARE, &[0x00, 0x17]),
            ],
        );
        let mut bytes = record(HANDSHAKE, &hrr);
        // The compatibility ChangeCipherSpec, then (after a second ClientHello) a plaintext
        // ServerHello: a HelloRetryRequest does not turn the stream encrypted.
        bytes.extend(record(CHANGE_CIPHER_SPEC, &[1]));
        bytes.extend(record(
            HANDSHAKE,
            &server_hello(
                0x0303,
                [9; 32],
                0x1301,
                &[(EXT_SUPPORTED_VERSIONS, &[3, 4])],
            ),
        ));
        assert_eq!(
            feed(&[&bytes]),
            Ok(vec![
                ServerMessage::ServerHello {
                    version: 0x0304,
                    cipher_suite: 0x1301,
                    hello_retry: true
                },
                ServerMessage::ChangeCipherSpec,
                ServerMessage::ServerHello {
                    version: 0x0304,
                    cipher_suite: 0x1301,
                    hello_retry: false
                },
            ])
        );
    }

    #[test]
    fn cfhello_reader_tls12_change_cipher_spec_turns_encrypted() {
        let mut bytes = record(HANDSHAKE, &server_hello(0x0303, [7; 32], 0xC02B, &[]));
        bytes.extend(record(CHANGE_CIPHER_SPEC, &[1]));
        bytes.extend(record(HANDSHAKE, &[0x99; 40])); // encrypted Finished
        bytes.extend(record(ALERT, &[0x42; 26])); // encrypted alert
        let got = feed(&[&bytes]).unwrap();
        assert_eq!(
            &got[1..],
            &[
                ServerMessage::ChangeCipherSpec,
                ServerMessage::Encrypted,
                ServerMessage::Encrypted
            ]
        );
    }

    #[test]
    fn cfhello_reader_other_messages_and_versions() {
        let mut body = server_hello(0x0301, [7; 32], 0xC013, &[]);
        body.extend(handshake(SERVER_KEY_EXCHANGE, &[1, 2, 3]));
        body.extend(handshake(CERTIFICATE_REQUEST, &[1, 1, 0, 0]));
        body.extend(handshake(0, &[])); // HelloRequest
        let got = feed(&[&record(HANDSHAKE, &body)]).unwrap();
        assert_eq!(
            got,
            vec![
                ServerMessage::ServerHello {
                    version: 0x0301,
                    cipher_suite: 0xC013,
                    hello_retry: false
                },
                ServerMessage::ServerKeyExchange,
                ServerMessage::CertificateRequest,
                ServerMessage::Other { handshake_type: 0 },
            ]
        );
    }

    #[test]
    fn cfhello_reader_malformed_messages() {
        // A ServerHello cut short inside its own length.
        let short = handshake(SERVER_HELLO, &[3, 3, 1, 2]);
        assert!(feed(&[&record(HANDSHAKE, &short)])
            .unwrap_err()
            .is_malformed());
        // A certificate list longer than its message.
        let bad_cert = handshake(CERTIFICATE, &[0, 0, 9, 0, 0, 1, 0xaa]);
        assert!(feed(&[&record(HANDSHAKE, &bad_cert)])
            .unwrap_err()
            .is_malformed());
        // Application data in the clear.
        assert!(feed(&[&record(APPLICATION_DATA, &[1, 2, 3])])
            .unwrap_err()
            .is_malformed());
        // A ChangeCipherSpec that is not [1].
        assert!(feed(&[&record(CHANGE_CIPHER_SPEC, &[2])])
            .unwrap_err()
            .is_malformed());
    }

    #[test]
    fn cfhello_reader_survives_arbitrary_bytes() {
        // Deterministic pseudo-random input and mutations of a real flight: no panic, and every
        // call ends.
        let mut state: u64 = 0x1234_5678;
        let mut next = move || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) as u32
        };
        let (flight, _) = tls12_flight();
        for round in 0..3000 {
            let mut bytes = if round % 2 == 0 {
                let len = next() as usize % 600;
                let mut v: Vec<u8> = (0..len).map(|_| next() as u8).collect();
                if let Some(first) = v.first_mut() {
                    *first = 20 + (*first % 5);
                }
                if let Some(second) = v.get_mut(1) {
                    *second = 3;
                }
                v
            } else {
                flight.clone()
            };
            for _ in 0..(next() % 8) {
                if bytes.is_empty() {
                    break;
                }
                let at = next() as usize % bytes.len();
                bytes[at] = next() as u8;
            }
            let mut reader = RecordReader::new();
            let mut rest = &bytes[..];
            while !rest.is_empty() {
                let n = (next() as usize % 64 + 1).min(rest.len());
                let (chunk, tail) = rest.split_at(n);
                rest = tail;
                if reader.push(chunk).is_err() {
                    break;
                }
                let mut count = 0;
                while let Ok(Some(_)) = reader.next_message() {
                    count += 1;
                    assert!(count < 10_000);
                }
            }
        }
    }

    /// What a ClientHello offers, read leniently (any extension allowed).
    fn offer_of(bytes: &[u8]) -> (Vec<u16>, Vec<u16>, Vec<u16>, Vec<u16>) {
        let (_, record) = parse_tls_plaintext(bytes).expect("a TLS record");
        let TlsMessage::Handshake(TlsMessageHandshake::ClientHello(ch)) = &record.msg[0] else {
            panic!("not a ClientHello");
        };
        let suites = ch
            .ciphers
            .iter()
            .map(|c| c.0)
            .filter(|c| *c != 0x00FF)
            .collect();
        let (_, extensions) =
            parse_tls_client_hello_extensions(ch.ext.expect("extensions")).expect("extensions");
        let (mut groups, mut schemes, mut versions) = (Vec::new(), Vec::new(), Vec::new());
        for ext in extensions {
            match ext {
                TlsExtension::EllipticCurves(g) => groups = g.iter().map(|g| g.0).collect(),
                TlsExtension::SignatureAlgorithms(s) => schemes = s,
                TlsExtension::SupportedVersions(v) => versions = v.iter().map(|v| v.0).collect(),
                _ => {}
            }
        }
        (suites, groups, schemes, versions)
    }

    /// The ClientHello s2n-tls sends under `policy`, read on a loopback listener.
    async fn s2n_hello(policy: &'static str) -> Vec<u8> {
        s2n_hello_offering(policy, crate::probe::cloudfront_tls::Alpn::None).await
    }

    /// The ClientHello s2n-tls sends under `policy` with `alpn` offered.
    async fn s2n_hello_offering(
        policy: &'static str,
        alpn: crate::probe::cloudfront_tls::Alpn,
    ) -> Vec<u8> {
        use tokio::io::AsyncReadExt;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let address = listener.local_addr().expect("address");
        let client = tokio::spawn(async move {
            let stream = tokio::net::TcpStream::connect(address)
                .await
                .expect("connect");
            let tls = crate::probe::cloudfront_tls::CloudFrontTls::new(&[]);
            let _ = tls
                .handshake(
                    policy,
                    stream,
                    SNI,
                    std::time::Duration::from_secs(2),
                    false,
                    alpn,
                )
                .await;
        });
        let (mut stream, _) = listener.accept().await.expect("accept");
        let mut bytes = vec![0u8; 5];
        stream
            .read_exact(&mut bytes)
            .await
            .expect("a record header");
        let len = usize::from(u16::from_be_bytes([bytes[3], bytes[4]]));
        bytes.resize(5 + len, 0);
        stream
            .read_exact(&mut bytes[5..])
            .await
            .expect("the record");
        drop(stream);
        let _ = client.await;
        bytes
    }

    /// The `-PQ` policies' hello offers a hybrid ML-KEM group (and ML-DSA signatures) and is over
    /// a kilobyte long;
    /// the 2025 ones' stays under it (what the lab's `pq-hello-intolerant` origin tells apart).
    #[tokio::test]
    async fn the_post_quantum_hello_is_the_2025_hello_with_a_hybrid_key_share() {
        use crate::cloudfront::policy::{post_quantum_policy, upstream_policy};
        const X25519_MLKEM768: u16 = 0x11EC;
        const SECP256R1_MLKEM768: u16 = 0x11EB;
        for lowest in [TlsVersion::Tls10, TlsVersion::Tls12] {
            let classic = s2n_hello(upstream_policy(Profile::Y2025, &[lowest])).await;
            let post_quantum = s2n_hello(post_quantum_policy(&[lowest])).await;
            let (suites, groups, schemes, _) = offer_of(&classic);
            let (pq_suites, pq_groups, pq_schemes, _) = offer_of(&post_quantum);
            assert_eq!(pq_suites, suites, "{lowest:?}: the same suites");
            // ML-DSA-44, -65 and -87 first, then the 2025 schemes.
            assert_eq!(
                pq_schemes[..3],
                [0x0904, 0x0905, 0x0906],
                "{lowest:?}: ML-DSA"
            );
            assert_eq!(
                pq_schemes[3..],
                schemes,
                "{lowest:?}: then the 2025 schemes"
            );
            assert!(
                pq_groups
                    .iter()
                    .any(|g| [X25519_MLKEM768, SECP256R1_MLKEM768].contains(g)),
                "{lowest:?}: a hybrid group in {pq_groups:04X?}"
            );
            assert!(groups.iter().all(|g| pq_groups.contains(g)));
            assert!(
                classic.len() <= 1024 && post_quantum.len() > 1024 + 5,
                "{lowest:?}: {} and {} bytes",
                classic.len(),
                post_quantum.len()
            );
        }
    }

    /// The ALPN list of a ClientHello, `None` without the extension.
    fn alpn_of(bytes: &[u8]) -> Option<Vec<Vec<u8>>> {
        let (_, record) = parse_tls_plaintext(bytes).expect("a TLS record");
        let TlsMessage::Handshake(TlsMessageHandshake::ClientHello(ch)) = &record.msg[0] else {
            panic!("not a ClientHello");
        };
        let (_, extensions) =
            parse_tls_client_hello_extensions(ch.ext.expect("extensions")).expect("extensions");
        extensions.into_iter().find_map(|ext| match ext {
            TlsExtension::ALPN(list) => Some(list.iter().map(|p| p.to_vec()).collect()),
            _ => None,
        })
    }

    /// An `http2` origin's hello (issue 16) is the same offer with ALPN `h2`, `http/1.1`; an
    /// `http1.1` origin's carries no ALPN, like the hand-built hellos, which therefore stay
    /// compared with s2n's hello without ALPN.
    #[tokio::test]
    async fn an_http2_origin_gets_the_same_hello_with_alpn_h2_then_http11() {
        use crate::cloudfront::policy::upstream_policy;
        use crate::probe::cloudfront_tls::Alpn;
        for lowest in [TlsVersion::Tls10, TlsVersion::Tls12] {
            let policy = upstream_policy(Profile::Y2025, &[lowest]);
            let plain = s2n_hello_offering(policy, Alpn::None).await;
            let h2 = s2n_hello_offering(policy, Alpn::H2).await;
            assert_eq!(alpn_of(&plain), None, "{policy}: no ALPN for http1.1");
            assert_eq!(
                alpn_of(&h2),
                Some(vec![b"h2".to_vec(), b"http/1.1".to_vec()]),
                "{policy}: h2 then http/1.1"
            );
            assert_eq!(offer_of(&h2), offer_of(&plain), "{policy}: the same offer");
        }
    }

    /// The hand-built hello must offer what CloudFront's own stack offers: the same suites,
    /// groups and signature schemes in the same order, and the same versions.
    #[tokio::test]
    async fn the_hand_built_hello_offers_what_s2n_offers_under_each_policy() {
        use crate::cloudfront::policy::upstream_policy;
        let cases = [
            (Profile::Y2025, TlsVersion::Tls13, TlsVersion::Tls10),
            (Profile::Y2025, TlsVersion::Tls13, TlsVersion::Tls12),
            (Profile::Legacy, TlsVersion::Tls12, TlsVersion::Tls10),
        ];
        for (profile, max, lowest) in cases {
            let policy = upstream_policy(profile, &[lowest]);
            let (s2n_suites, s2n_groups, s2n_schemes, s2n_versions) =
                offer_of(&s2n_hello(policy).await);
            let ours =
                client_hello_for(&HelloOffer::cloudfront(profile, max), Some(SNI), [0x42; 32]);
            let (suites, groups, schemes, versions) = offer_of(&ours);
            assert_eq!(suites, s2n_suites, "{policy}: suites");
            assert_eq!(groups, s2n_groups, "{policy}: groups");
            assert_eq!(schemes, s2n_schemes, "{policy}: signature schemes");
            // s2n lists the versions from TLS 1.3 down to the policy's lowest; the hand-built
            // hello offers every version up to its highest (the lowest is the check's business).
            let expected: Vec<u16> = s2n_versions
                .iter()
                .copied()
                .filter(|v| *v >= lowest.wire())
                .collect();
            assert_eq!(
                versions
                    .iter()
                    .copied()
                    .filter(|v| *v >= lowest.wire())
                    .collect::<Vec<_>>(),
                expected,
                "{policy}: versions"
            );
        }
    }
}
