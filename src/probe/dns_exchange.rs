//! One DNS question sent straight to one server over UDP, its reply awaited within a timeout.
//!
//! For what hickory's resolver does not ask, or does not hand back: a question with recursion
//! off to a parent zone's server (whose referral's NS records and glue are read here), a
//! question to a resolver with the CD (checking disabled) bit, and the RFC 8914 extended DNS
//! errors (EDE, EDNS option 15) a resolver puts in its SERVFAIL. The caller takes the
//! politeness pass; this sends one datagram and waits at most `timeout` for the reply whose ID
//! and question match (anything else arriving meanwhile is read and dropped). No TCP: a
//! truncated reply is returned as it is.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use hickory_proto::op::{Edns, Message, MessageType, OpCode, Query};
use hickory_proto::rr::rdata::opt::{EdnsCode, EdnsOption};
use hickory_proto::rr::{Name, RecordType};
use tokio::net::UdpSocket;

/// The EDNS option code of an extended DNS error (RFC 8914).
const EDE_OPTION: u16 = 15;

/// An EDNS UDP payload size that fits in one unfragmented datagram (DNS flag day 2020).
const PAYLOAD: u16 = 1232;

/// Why a direct question got no reply.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum ExchangeError {
    /// Nothing matching came back within the timeout.
    #[error("no reply within {0} ms")]
    Timeout(u64),
    /// The socket failed, or the network said no (ICMP port unreachable).
    #[error("{0}")]
    Io(String),
    /// The question could not be encoded.
    #[error("cannot encode the question: {0}")]
    Encode(String),
}

/// How the question is asked.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Flags {
    /// RD: ask for recursion (to a resolver) or not (to an authoritative server).
    pub(crate) recursion_desired: bool,
    /// CD: ask a validating resolver not to check DNSSEC.
    pub(crate) checking_disabled: bool,
}

/// Asks `server` for `name`/`record_type` once, with EDNS0 (so that extended errors can come
/// back), and waits at most `timeout`.
pub(crate) async fn exchange(
    server: SocketAddr,
    name: &Name,
    record_type: RecordType,
    flags: Flags,
    timeout: Duration,
) -> Result<Message, ExchangeError> {
    let mut message = Message::query();
    message.metadata.message_type = MessageType::Query;
    message.metadata.op_code = OpCode::Query;
    message.metadata.recursion_desired = flags.recursion_desired;
    message.metadata.checking_disabled = flags.checking_disabled;
    let mut edns = Edns::new();
    edns.set_max_payload(PAYLOAD);
    message.set_edns(edns);
    message.add_query(Query::query(name.clone(), record_type));
    let id = message.metadata.id;
    let bytes = message
        .to_vec()
        .map_err(|e| ExchangeError::Encode(e.to_string()))?;
    let limit = timeout.as_millis() as u64;
    let work = async {
        let local: SocketAddr = match server.ip() {
            IpAddr::V4(_) => (Ipv4Addr::UNSPECIFIED, 0).into(),
            IpAddr::V6(_) => (Ipv6Addr::UNSPECIFIED, 0).into(),
        };
        let socket = UdpSocket::bind(local)
            .await
            .map_err(|e| ExchangeError::Io(e.to_string()))?;
        // Connected: an ICMP port unreachable comes back as an error on receive.
        socket
            .connect(server)
            .await
            .map_err(|e| ExchangeError::Io(e.to_string()))?;
        socket
            .send(&bytes)
            .await
            .map_err(|e| ExchangeError::Io(e.to_string()))?;
        let mut buffer = vec![0u8; usize::from(PAYLOAD).max(4096)];
        loop {
            let len = socket.recv(&mut buffer).await.map_err(|e| {
                if e.kind() == std::io::ErrorKind::ConnectionRefused {
                    ExchangeError::Io("port unreachable (nothing listens)".into())
                } else {
                    ExchangeError::Io(e.to_string())
                }
            })?;
            let Ok(reply) = Message::from_vec(&buffer[..len]) else {
                continue;
            };
            let same_question = reply
                .queries
                .first()
                .is_some_and(|q| q.name() == name && q.query_type() == record_type);
            if reply.metadata.id == id
                && reply.metadata.message_type == MessageType::Response
                && same_question
            {
                return Ok(reply);
            }
        }
    };
    tokio::time::timeout(timeout, work)
        .await
        .unwrap_or(Err(ExchangeError::Timeout(limit)))
}

/// One RFC 8914 extended DNS error, as a resolver sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtendedError {
    /// The INFO-CODE (e.g. 6, DNSSEC Bogus; 7, Signature Expired).
    pub code: u16,
    /// The EXTRA-TEXT, if any, without control characters and cut at 200 characters (from the
    /// network: the report still escapes it for each format).
    pub text: String,
}

impl ExtendedError {
    /// The INFO-CODE's name in the IANA registry (RFC 8914 section 4), or `None` when unknown.
    pub fn name(&self) -> Option<&'static str> {
        Some(match self.code {
            0 => "Other Error",
            1 => "Unsupported DNSKEY Algorithm",
            2 => "Unsupported DS Digest Type",
            3 => "Stale Answer",
            4 => "Forged Answer",
            5 => "DNSSEC Indeterminate",
            6 => "DNSSEC Bogus",
            7 => "Signature Expired",
            8 => "Signature Not Yet Valid",
            9 => "DNSKEY Missing",
            10 => "RRSIGs Missing",
            11 => "No Zone Key Bit Set",
            12 => "NSEC Missing",
            13 => "Cached Error",
            14 => "Not Ready",
            15 => "Blocked",
            16 => "Censored",
            17 => "Filtered",
            18 => "Prohibited",
            19 => "Stale NXDomain Answer",
            20 => "Not Authoritative",
            21 => "Not Supported",
            22 => "No Reachable Authority",
            23 => "Network Error",
            24 => "Invalid Data",
            _ => return None,
        })
    }

    /// `code (name): text`, e.g. `7 (Signature Expired): ...`.
    pub fn describe(&self) -> String {
        let mut text = match self.name() {
            Some(name) => format!("{} ({name})", self.code),
            None => self.code.to_string(),
        };
        if !self.text.is_empty() {
            text.push_str(": ");
            text.push_str(&self.text);
        }
        text
    }
}

/// Extended errors at most kept from one reply, and characters of EXTRA-TEXT per error.
const MAX_EXTENDED_ERRORS: usize = 4;
const MAX_EXTRA_TEXT: usize = 200;

/// The extended DNS errors in a reply's OPT record.
pub(crate) fn extended_errors(reply: &Message) -> Vec<ExtendedError> {
    let Some(edns) = &reply.edns else {
        return Vec::new();
    };
    edns.options()
        .options
        .iter()
        .filter_map(|(code, option)| match (code, option) {
            (EdnsCode::Unknown(EDE_OPTION), EdnsOption::Unknown(_, data)) if data.len() >= 2 => {
                let code = u16::from_be_bytes([data[0], data[1]]);
                let text: String = String::from_utf8_lossy(&data[2..])
                    .chars()
                    .filter(|c| !c.is_control())
                    .take(MAX_EXTRA_TEXT)
                    .collect();
                Some(ExtendedError { code, text })
            }
            _ => None,
        })
        .take(MAX_EXTENDED_ERRORS)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use hickory_proto::rr::rdata::opt::OPT;

    #[test]
    fn extended_errors_are_read_from_the_opt_record() {
        let mut reply = Message::response(7, OpCode::Query);
        let mut edns = Edns::new();
        let mut data = 7u16.to_be_bytes().to_vec();
        data.extend(b"signature expired for bogus.test.");
        *edns.options_mut() = OPT::new(vec![(
            EdnsCode::Unknown(EDE_OPTION),
            EdnsOption::Unknown(EDE_OPTION, data),
        )]);
        reply.set_edns(edns);
        // Through the wire format, as a resolver's reply arrives.
        let reply = Message::from_vec(&reply.to_vec().unwrap()).unwrap();
        let errors = extended_errors(&reply);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].code, 7);
        assert_eq!(
            errors[0].describe(),
            "7 (Signature Expired): signature expired for bogus.test."
        );
        assert!(extended_errors(&Message::response(8, OpCode::Query)).is_empty());
    }

    #[tokio::test]
    async fn a_silent_server_times_out_within_the_limit() {
        let silent = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        let server = silent.local_addr().unwrap();
        let started = std::time::Instant::now();
        let name = Name::from_ascii("silent.test.").unwrap();
        let result = exchange(
            server,
            &name,
            RecordType::A,
            Flags::default(),
            Duration::from_millis(200),
        )
        .await;
        assert_eq!(result, Err(ExchangeError::Timeout(200)));
        assert!(started.elapsed() < Duration::from_millis(600));
    }
}
