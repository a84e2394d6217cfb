//! TLS negotiation against a TLS stack nobody here wrote: `openssl s_server` on loopback, in
//! each configuration CloudFront's handshake must judge (issue 3), under both profiles. Then a
//! cross-check: for each server, the version and suite CloudFront's hello gets must be what
//! `openssl s_client` gets when it offers the same versions, suites, groups and schemes.

use crate::common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use crate::peers::{free_port, openssl, openssl_available, wait_listening};
use common::{args, originscan, stderr};
use originscan::cloudfront::tls_profile::{suite_name, Profile, TlsVersion};
use originscan::report::Report;

const NAME: &str = "peer.openssl.test";

/// A test CA made with openssl, and leaves it signs for NAME.
struct Pki {
    dir: PathBuf,
}

impl Pki {
    fn new(dir: &Path) -> Pki {
        let p = |f: &str| dir.join(f).display().to_string();
        openssl(&[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            &p("ca.key"),
            "-out",
            &p("ca.pem"),
            "-days",
            "400",
            "-subj",
            "/CN=originscan peer test CA",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
        ]);
        std::fs::write(
            dir.join("leaf.ext"),
            format!("subjectAltName=DNS:{NAME}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n"),
        )
        .unwrap();
        Pki {
            dir: dir.to_path_buf(),
        }
    }

    fn path(&self, f: &str) -> String {
        self.dir.join(f).display().to_string()
    }

    /// Makes `<label>.pem`/`<label>.key` for other names than NAME (RSA 2048).
    fn leaf_for(&self, label: &str, names: &[&str]) -> (String, String) {
        let ext = self.path(&format!("{label}.ext"));
        let sans: Vec<String> = names.iter().map(|n| format!("DNS:{n}")).collect();
        std::fs::write(
            &ext,
            format!(
                "subjectAltName={}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
                sans.join(",")
            ),
        )
        .unwrap();
        let key = self.path(&format!("{label}.key"));
        openssl(&[
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:2048",
            "-out",
            &key,
        ]);
        let csr = self.path(&format!("{label}.csr"));
        let cert = self.path(&format!("{label}.pem"));
        openssl(&[
            "req",
            "-new",
            "-key",
            &key,
            "-subj",
            &format!("/CN={}", names[0]),
            "-out",
            &csr,
        ]);
        openssl(&[
            "x509",
            "-req",
            "-in",
            &csr,
            "-CA",
            &self.path("ca.pem"),
            "-CAkey",
            &self.path("ca.key"),
            "-CAcreateserial",
            "-days",
            "400",
            "-sha256",
            "-extfile",
            &ext,
            "-out",
            &cert,
        ]);
        (cert, key)
    }

    /// Makes `<label>.pem` and `<label>.key` with the key from `genpkey_args` (or an existing key).
    fn leaf(&self, label: &str, key: Result<&[&str], &str>) -> (String, String) {
        let key_path = match key {
            Ok(genpkey_args) => {
                let path = self.path(&format!("{label}.key"));
                let mut a = vec!["genpkey"];
                a.extend_from_slice(genpkey_args);
                a.extend_from_slice(&["-out", &path]);
                openssl(&a);
                path
            }
            Err(existing) => existing.to_string(),
        };
        let csr = self.path(&format!("{label}.csr"));
        let cert = self.path(&format!("{label}.pem"));
        openssl(&[
            "req",
            "-new",
            "-key",
            &key_path,
            "-subj",
            &format!("/CN={NAME}"),
            "-out",
            &csr,
        ]);
        openssl(&[
            "x509",
            "-req",
            "-in",
            &csr,
            "-CA",
            &self.path("ca.pem"),
            "-CAkey",
            &self.path("ca.key"),
            "-CAcreateserial",
            "-days",
            "400",
            "-sha256",
            "-extfile",
            &self.path("leaf.ext"),
            "-out",
            &cert,
        ]);
        (cert, key_path)
    }
}

struct Server {
    port: u16,
    _child: tokio::process::Child,
}

async fn s_server(cert: &(String, String), extra: &[&str]) -> Server {
    let port = free_port();
    let mut command = tokio::process::Command::new("openssl");
    command
        .args([
            "s_server",
            "-accept",
            &format!("127.0.0.1:{port}"),
            "-cert",
            &cert.0,
            "-key",
            &cert.1,
            "-www",
            "-quiet",
        ])
        .args(extra)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true);
    let child = command.spawn().expect("s_server starts");
    wait_listening(port, &format!("s_server {extra:?}")).await;
    Server {
        port,
        _child: child,
    }
}

/// Scans `127.0.0.1` ports as NAME; returns TLS_/CERT_/CF_ codes by port (s_server's `-www`
/// answers HTTP/1.0 and closes, so HTTP findings are not this test's business).
async fn scan(pki: &Pki, ports: &[u16], extra: &[&str]) -> BTreeMap<u16, Vec<String>> {
    let mut command = args(&[
        "scan",
        "--no-progress",
        "--no-idle-probe",
        "-f",
        "json",
        "--allow-private",
        "127.0.0.0/8",
        "--resolver",
        "127.0.0.1:9",
        "--resolve",
        &format!("{NAME}:127.0.0.1"),
        "--ca-file",
        &pki.path("ca.pem"),
        "--ca-file",
        &pki.path("lab-ca.pem"),
    ]);
    command.extend(extra.iter().map(|s| s.to_string()));
    command.extend(ports.iter().map(|p| format!("{NAME}:{p}")));
    let output = originscan(&command).await;
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let report: Report = serde_json::from_slice(&output.stdout).expect("json report");
    report
        .origins
        .iter()
        .map(|o| {
            let mut codes: Vec<String> = o
                .codes()
                .into_iter()
                .filter(|c| c.starts_with("TLS_") || c.starts_with("CERT_") || c.starts_with("CF_"))
                .map(str::to_string)
                .collect();
            codes.sort();
            (o.port, codes)
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cloudfront_handshake_against_openssl_servers() {
    if !openssl_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let pki = Pki::new(dir.path());
    let rsa = pki.leaf(
        "rsa",
        Ok(&["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"]),
    );
    let p256 = pki.leaf(
        "p256",
        Ok(&["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"]),
    );
    let p521 = pki.leaf(
        "p521",
        Ok(&["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-521"]),
    );
    let ed25519 = pki.leaf("ed25519", Ok(&["-algorithm", "ED25519"]));
    let big_key = format!(
        "{}/fixtures/certs/rsa8192.key.pem",
        env!("CARGO_MANIFEST_DIR")
    );
    let rsa8192 = pki.leaf("rsa8192", Err(&big_key));

    // A legacy-only origin with an expired certificate, from the lab CA (rcgen can date it).
    let lab_ca = originscan::lab::ca::LabCa::generate().unwrap();
    std::fs::write(dir.path().join("lab-ca.pem"), lab_ca.root_pem()).unwrap();
    let expired = lab_ca
        .leaf(&originscan::lab::ca::LeafSpec {
            names: vec![NAME.into()],
            common_name: None,
            valid_from: time::Duration::days(-400),
            valid_until: time::Duration::days(-3),
            key: originscan::lab::ca::LeafKey::Rsa,
            chain: originscan::lab::ca::ChainShape::Complete,
        })
        .unwrap();
    std::fs::write(dir.path().join("expired.der"), expired.chain[0].as_ref()).unwrap();
    std::fs::write(
        dir.path().join("expired-int.der"),
        expired.chain[1].as_ref(),
    )
    .unwrap();
    std::fs::write(dir.path().join("expired.key.der"), expired.key.secret_der()).unwrap();
    openssl(&[
        "x509",
        "-inform",
        "DER",
        "-in",
        &pki.path("expired-int.der"),
        "-out",
        &pki.path("expired-int.pem"),
    ]);
    openssl(&[
        "x509",
        "-inform",
        "DER",
        "-in",
        &pki.path("expired.der"),
        "-out",
        &pki.path("expired.pem"),
    ]);
    openssl(&[
        "pkey",
        "-inform",
        "DER",
        "-in",
        &pki.path("expired.key.der"),
        "-out",
        &pki.path("expired.key"),
    ]);
    let expired_pair = (pki.path("expired.pem"), pki.path("expired.key"));

    let legacy_ciphers = ["-cipher", "DEFAULT:@SECLEVEL=0"];
    let servers = [
        (
            "healthy tls1.2",
            s_server(&rsa, &["-tls1_2"]).await,
            &[][..],
            &[][..],
        ),
        ("ecdsa p-256", s_server(&p256, &[]).await, &[], &[]),
        (
            "dhe only",
            s_server(&rsa, &["-tls1_2", "-cipher", "DHE-RSA-AES128-GCM-SHA256"]).await,
            &["TLS_NO_COMMON_CIPHER"],
            &["TLS_NO_COMMON_CIPHER"],
        ),
        (
            "chacha20 only",
            s_server(&rsa, &["-tls1_2", "-cipher", "ECDHE-RSA-CHACHA20-POLY1305"]).await,
            &["TLS_NO_COMMON_CIPHER"],
            &["TLS_NO_COMMON_CIPHER"],
        ),
        (
            "tls1.3 only",
            s_server(&rsa, &["-tls1_3"]).await,
            &["TLS_TLS13_ONLY"],
            &["TLS_NO_COMMON_PROTOCOL"],
        ),
        (
            "tls1.0 only",
            s_server(&rsa, &["-tls1", legacy_ciphers[0], legacy_ciphers[1]]).await,
            &["TLS_LEGACY_ONLY"],
            &["TLS_LEGACY_ONLY"],
        ),
        (
            "tls1.1 only",
            s_server(&rsa, &["-tls1_1", legacy_ciphers[0], legacy_ciphers[1]]).await,
            &["TLS_LEGACY_ONLY"],
            &["TLS_LEGACY_ONLY"],
        ),
        (
            "aes128-sha only",
            s_server(&rsa, &["-tls1_2", "-cipher", "AES128-SHA"]).await,
            &[],
            &[],
        ),
        (
            "rsa-pss only",
            s_server(&rsa, &["-tls1_2", "-sigalgs", "rsa_pss_rsae_sha256"]).await,
            &[],
            &["TLS_UNSUPPORTED_SIGNATURE"],
        ),
        (
            "ed25519 key",
            s_server(&ed25519, &["-tls1_2"]).await,
            &["TLS_UNSUPPORTED_SIGNATURE"],
            &["TLS_UNSUPPORTED_SIGNATURE"],
        ),
        (
            "ecdsa p-521 key",
            s_server(&p521, &["-tls1_2"]).await,
            &["TLS_UNSUPPORTED_SIGNATURE"],
            &["TLS_UNSUPPORTED_SIGNATURE"],
        ),
        (
            "client cert required",
            s_server(&rsa, &["-tls1_2", "-Verify", "1"]).await,
            &["TLS_CLIENT_CERT_REQUIRED"],
            &["TLS_CLIENT_CERT_REQUIRED"],
        ),
        (
            "rsa 8192",
            s_server(&rsa8192, &["-tls1_2"]).await,
            &["CERT_KEY_TOO_LARGE"],
            &["CERT_KEY_TOO_LARGE"],
        ),
        (
            "tls1.0 only, expired",
            s_server(
                &expired_pair,
                &[
                    "-tls1",
                    legacy_ciphers[0],
                    legacy_ciphers[1],
                    "-cert_chain",
                    &pki.path("expired-int.pem"),
                ],
            )
            .await,
            &["CERT_EXPIRED", "TLS_LEGACY_ONLY"],
            &["CERT_EXPIRED", "TLS_LEGACY_ONLY"],
        ),
    ];
    let ports: Vec<u16> = servers.iter().map(|s| s.1.port).collect();
    let y2025 = scan(&pki, &ports, &[]).await;
    let legacy = scan(&pki, &ports, &["--cloudfront-profile", "legacy"]).await;
    let mut failures = Vec::new();
    for (label, server, want_2025, want_legacy) in &servers {
        for (profile, got, want) in [
            ("2025", &y2025, want_2025),
            ("legacy", &legacy, want_legacy),
        ] {
            let got = got.get(&server.port).cloned().unwrap_or_default();
            let want: Vec<String> = want.iter().map(|s| s.to_string()).collect();
            if got != want {
                failures.push(format!("{label} ({profile}): got {got:?}, want {want:?}"));
            }
        }
    }
    // The distribution allows only TLSv1.2: the TLS 1.0 origin is out of its reach.
    let tls10 = servers[5].1.port;
    let narrow = scan(&pki, &[tls10], &["--ssl-protocols", "TLSv1.2"]).await;
    if narrow.get(&tls10) != Some(&vec!["CF_SSL_PROTOCOLS_TOO_NARROW".to_string()]) {
        failures.push(format!(
            "tls1.0 with --ssl-protocols TLSv1.2: got {:?}",
            narrow.get(&tls10)
        ));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));

    // SNI-dependent: the certificate covering the forwarded Host is served only for SNI NAME;
    // CloudFront sends the Host (www.customer.test) and gets the default certificate.
    let default = pki.leaf_for("default", &["default.openssl.test"]);
    let both = pki.leaf_for("both", &[NAME, "www.customer.test"]);
    let sni_server = s_server(
        &default,
        &[
            "-tls1_2",
            "-servername",
            NAME,
            "-cert2",
            &both.0,
            "-key2",
            &both.1,
        ],
    )
    .await;
    let csv = dir.path().join("sni.csv");
    std::fs::write(
        &csv,
        format!(
            "origin,port,host_header\n{NAME},{},www.customer.test\n",
            sni_server.port
        ),
    )
    .unwrap();
    let output = originscan(&args(&[
        "scan",
        "--no-progress",
        "--no-idle-probe",
        "-f",
        "json",
        "--allow-private",
        "127.0.0.0/8",
        "--resolver",
        "127.0.0.1:9",
        "--resolve",
        &format!("{NAME}:127.0.0.1"),
        "--ca-file",
        &pki.path("ca.pem"),
        "-i",
        csv.to_str().unwrap(),
    ]))
    .await;
    let report: Report = serde_json::from_slice(&output.stdout).expect("json report");
    let mut codes: Vec<&str> = report.origins[0]
        .codes()
        .into_iter()
        .filter(|c| c.starts_with("TLS_") || c.starts_with("CERT_"))
        .collect();
    codes.sort();
    assert_eq!(
        codes,
        vec!["CERT_NAME_MISMATCH", "TLS_SNI_DEPENDENT"],
        "{:?}",
        report.origins[0].findings
    );

    // Cross-check: offered CloudFront's TLS 1.2-and-older suites, groups and schemes, s_client
    // negotiates what our hello negotiated.
    for (label, server, _, _) in &servers {
        let ours = our_first_reply(server.port).await;
        let theirs = s_client(server.port).await;
        assert_eq!(ours, theirs, "{label}: our hello vs openssl s_client");
    }
}

/// (version, suite) CloudFront's 2025 hello (up to TLS 1.2) gets, or None when refused.
async fn our_first_reply(port: u16) -> Option<(String, String)> {
    use originscan::probe::diagnostic_hellos::{exchange, HelloReply};
    let stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .ok()?;
    let hello = originscan::cloudfront::hello::client_hello(
        Profile::Y2025,
        TlsVersion::Tls12,
        Some(NAME),
        [7u8; 32],
    );
    match exchange(stream, &hello, Duration::from_secs(5)).await {
        HelloReply::Accepted { version, suite, .. } => Some((
            TlsVersion::from_wire(version)
                .map(|v| v.api_name().to_string())
                .unwrap_or_default(),
            suite_name(suite).to_string(),
        )),
        _ => None,
    }
}

/// What `openssl s_client` negotiates when offered the 2025 profile's TLS 1.2-and-older offer.
async fn s_client(port: u16) -> Option<(String, String)> {
    let ciphers: Vec<&str> = Profile::Y2025
        .tls12_and_older_suites()
        .iter()
        .map(|s| suite_name(*s))
        .filter(|n| *n != "unknown")
        .collect();
    let sigalgs = "ECDSA+SHA256:ECDSA+SHA384:ECDSA+SHA512:ECDSA+SHA224:rsa_pss_pss_sha256:rsa_pss_pss_sha384:rsa_pss_pss_sha512:rsa_pss_rsae_sha256:rsa_pss_rsae_sha384:rsa_pss_rsae_sha512:RSA+SHA256:RSA+SHA384:RSA+SHA512:RSA+SHA224:RSA+SHA1:ECDSA+SHA1";
    let output = tokio::process::Command::new("openssl")
        .args([
            "s_client",
            "-connect",
            &format!("127.0.0.1:{port}"),
            "-servername",
            NAME,
            "-no_tls1_3",
            "-cipher",
            &format!("{}:@SECLEVEL=0", ciphers.join(":")),
            "-sigalgs",
            sigalgs,
            "-curves",
            "P-256:X25519:P-384",
        ])
        .stdin(Stdio::null())
        .output()
        .await
        .ok()?;
    let text = String::from_utf8_lossy(&output.stdout);
    let field = |name: &str| {
        text.lines().find_map(|l| {
            l.trim()
                .strip_prefix(name)
                .map(|v| v.trim_start_matches([' ', ':']).trim().to_string())
        })
    };
    let cipher = field("Cipher    :")?;
    if cipher == "0000" || cipher == "(NONE)" {
        return None;
    }
    let protocol = field("Protocol  :")?;
    Some((protocol, cipher))
}
