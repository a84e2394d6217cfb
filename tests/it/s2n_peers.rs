//! CloudFront's s2n-tls handshake against servers nobody here wrote (issue 15): nginx and
//! `openssl s_server` on loopback, with certificates made by the openssl command line. Each case
//! asserts on the finding codes of the scanned origin, with s2n's verdict in mind: when s2n
//! completes the handshake CloudFront sends the request (so the origin's own 503 is reported),
//! when it fails CloudFront answers 502 and the finding says why.
//!
//! What was found here (nginx 1.22.1 and openssl 3.0.22; s2n-tls 0.3.47 with the default profile,
//! `CloudFront-Upstream-TLS-1-0-2025`):
//! - nginx serves TLS 1.0-only and TLS 1.1-only at `@SECLEVEL=0`, so every 503 case is nginx;
//!   `openssl s_server` is not needed as a stand-in.
//! - s2n accepts RSA 1024 *and* RSA 512 leaves (over TLS 1.2). Over TLS 1.3 a 512-bit key cannot
//!   make an RSA-PSS-SHA256 signature, so `openssl s_server` itself refuses the handshake
//!   (`handshake_failure` before its ServerHello): a 502, reported as TLS_HANDSHAKE_FAILED.
//! - The oversized leaf is TLS_MESSAGE_TOO_LARGE over TLS 1.2 (the Certificate message's length
//!   is read in the clear) and over TLS 1.3 (s2n refuses the encrypted message as bad after more
//!   than 64 KiB came).
//! - OpenSSL closes on a plain HTTP request without an alert; a ClientHello on that port after
//!   the silent close tells that it speaks TLS (HTTP_PLAINTEXT_POLICY_MISMATCH).
//! - An origin that accepts only null (unencrypted) suites refuses CloudFront with
//!   `handshake_failure`; the diagnostic hello, which offers them, shows which it takes.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use crate::peers::{free_port, nginx_binary, openssl, openssl_available, wait_listening};
use common::{args, originscan, stderr};
use originscan::finding::Severity;
use originscan::report::{OriginReport, Report};

const NAME: &str = "peer.s2n.test";

/// A test CA made with openssl (RSA 2048), and the certificates it (or its intermediate) signs.
struct Pki {
    dir: PathBuf,
}

impl Pki {
    fn new(dir: &Path) -> Pki {
        let pki = Pki {
            dir: dir.to_path_buf(),
        };
        openssl(&[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            &pki.path("ca.key"),
            "-out",
            &pki.path("ca.pem"),
            "-days",
            "400",
            "-subj",
            "/CN=originscan s2n peer test CA",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
        ]);
        pki
    }

    fn path(&self, f: &str) -> String {
        self.dir.join(f).display().to_string()
    }

    /// `<label>.key`: an RSA key of `bits`.
    fn rsa_key(&self, label: &str, bits: u32) -> String {
        let key = self.path(&format!("{label}.key"));
        openssl(&[
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            &format!("rsa_keygen_bits:{bits}"),
            "-out",
            &key,
        ]);
        key
    }

    /// `<label>.pem` for `key` with subject CN `cn`, the `[v3]` extensions `extensions`,
    /// signed by `issuer` (`ca` or `int`) with `digest` (`-sha256`, `-sha1`).
    fn certificate(
        &self,
        label: &str,
        key: &str,
        cn: &str,
        extensions: &str,
        issuer: &str,
        digest: &str,
    ) -> String {
        let ext = self.path(&format!("{label}.ext"));
        std::fs::write(&ext, format!("[v3]\n{extensions}")).unwrap();
        let csr = self.path(&format!("{label}.csr"));
        let cert = self.path(&format!("{label}.pem"));
        openssl(&[
            "req",
            "-new",
            "-key",
            key,
            "-subj",
            &format!("/CN={cn}"),
            "-out",
            &csr,
        ]);
        openssl(&[
            "x509",
            "-req",
            "-in",
            &csr,
            "-CA",
            &self.path(&format!("{issuer}.pem")),
            "-CAkey",
            &self.path(&format!("{issuer}.key")),
            "-CAcreateserial",
            "-days",
            "400",
            digest,
            "-extfile",
            &ext,
            "-extensions",
            "v3",
            "-out",
            &cert,
        ]);
        cert
    }

    /// An intermediate CA `int` (SHA-256, signed by the root).
    fn intermediate(&self) -> String {
        let key = self.rsa_key("int", 2048);
        self.certificate(
            "int",
            &key,
            "originscan s2n peer test intermediate",
            "basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n",
            "ca",
            "-sha256",
        )
    }
}

/// The usual leaf extensions with `san` (none when empty).
fn leaf_extensions(san: &str) -> String {
    let mut text = String::new();
    if !san.is_empty() {
        text.push_str(&format!("subjectAltName={san}\n"));
    }
    text.push_str("basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n");
    text
}

/// A server process, killed (and reaped) when dropped.
struct Peer {
    child: Child,
}

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `openssl s_server -www` (HTTP/1.0 200, then close) on a free loopback port.
async fn s_server(cert: &str, key: &str, extra: &[&str]) -> (u16, Peer) {
    let port = free_port();
    let child = Command::new("openssl")
        .args([
            "s_server",
            "-accept",
            &format!("127.0.0.1:{port}"),
            "-cert",
            cert,
            "-key",
            key,
            "-www",
            "-quiet",
        ])
        .args(extra)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("s_server starts");
    let peer = Peer { child };
    wait_listening(port, &format!("s_server {extra:?}")).await;
    (port, peer)
}

/// Scans `targets` as CloudFront would (default profile), NAME resolved to 127.0.0.1.
async fn scan(pki: &Pki, targets: &[String]) -> Report {
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
    ]);
    command.extend(targets.iter().cloned());
    let output = originscan(&command).await;
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    serde_json::from_slice(&output.stdout).expect("json report")
}

fn target(port: u16) -> String {
    format!("{NAME}:{port}")
}

fn origin(report: &Report, port: u16) -> &OriginReport {
    report
        .origins
        .iter()
        .find(|o| o.port == port)
        .unwrap_or_else(|| panic!("no row for port {port}"))
}

/// The findings, for an assertion's message.
fn describe(origin: &OriginReport) -> String {
    let findings: Vec<String> = origin
        .findings
        .iter()
        .map(|f| format!("{} ({:?}): {}", f.code.as_str(), f.severity, f.summary))
        .collect();
    format!("{findings:#?}, timings {:?}", origin.timings_ms)
}

/// Critical TLS_ and CERT_ findings: the handshake's verdict that CloudFront answers 502.
fn critical_tls(origin: &OriginReport) -> Vec<&'static str> {
    origin
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Critical)
        .map(|f| f.code.as_str())
        .filter(|c| c.starts_with("TLS_") || c.starts_with("CERT_"))
        .collect()
}

fn has(origin: &OriginReport, code: &str) -> bool {
    origin.codes().contains(&code)
}

/// Case 1: nginx answering 503 behind TLS configurations that CloudFront's s2n still reaches:
/// the HTTP request is made, so the origin's own 503 is the finding.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nginx_503_behind_cbc_static_rsa_and_legacy_tls() {
    if !openssl_available() {
        return;
    }
    let Some(nginx) = nginx_binary() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install nginx (.ci/run)"
        );
        common::skip("nginx is not installed (apt-get install nginx)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let pki = Pki::new(dir.path());
    let key = pki.rsa_key("leaf", 2048);
    let cert = pki.certificate(
        "leaf",
        &key,
        NAME,
        &leaf_extensions(&format!("DNS:{NAME}")),
        "ca",
        "-sha256",
    );
    // nginx 1.22.1 on openssl 3.0.22 serves TLSv1 and TLSv1.1 at @SECLEVEL=0 (s2n negotiates
    // ECDHE-RSA-AES256-SHA with both), so no `openssl s_server` stand-in is needed here.
    let configs = [
        ("CBC-only", "TLSv1.2", "ECDHE-RSA-AES128-SHA:@SECLEVEL=0"),
        ("static-RSA-only", "TLSv1.2", "AES128-SHA"),
        ("TLS 1.0-only", "TLSv1", "DEFAULT:@SECLEVEL=0"),
        ("TLS 1.1-only", "TLSv1.1", "DEFAULT:@SECLEVEL=0"),
    ];
    let ports: Vec<u16> = configs.iter().map(|_| free_port()).collect();
    let d = dir.path().display();
    let servers: String = configs
        .iter()
        .zip(&ports)
        .map(|((_, protocols, ciphers), port)| {
            format!(
                "  server {{ listen 127.0.0.1:{port} ssl; ssl_protocols {protocols}; ssl_ciphers '{ciphers}'; location / {{ return 503; }} }}\n"
            )
        })
        .collect();
    let config = format!(
        "daemon off; master_process off; worker_processes 1; pid {d}/nginx.pid; error_log {d}/error.log;\n\
         events {{ worker_connections 64; }}\n\
         http {{ access_log off; client_body_temp_path {d}/body; proxy_temp_path {d}/proxy;\n\
           fastcgi_temp_path {d}/fastcgi; uwsgi_temp_path {d}/uwsgi; scgi_temp_path {d}/scgi;\n\
           ssl_certificate {cert}; ssl_certificate_key {key};\n\
         {servers}}}\n"
    );
    std::fs::write(dir.path().join("nginx.conf"), config).unwrap();
    let _nginx = Peer {
        child: Command::new(nginx)
            .args([
                "-p",
                &d.to_string(),
                "-c",
                &format!("{d}/nginx.conf"),
                "-e",
                &format!("{d}/error.log"),
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("nginx starts"),
    };
    for port in &ports {
        wait_listening(*port, "nginx").await;
    }

    let targets: Vec<String> = ports.iter().map(|p| target(*p)).collect();
    let report = scan(&pki, &targets).await;
    // Reported: HTTP_ORIGIN_5XX for each, with TLS_LEGACY_ONLY (high) for TLS 1.0 and 1.1.
    for ((label, _, _), port) in configs.iter().zip(&ports) {
        let origin = origin(&report, *port);
        assert!(
            has(origin, "HTTP_ORIGIN_5XX") && critical_tls(origin).is_empty(),
            "{label}: CloudFront reaches nginx and gets its 503: {}",
            describe(origin)
        );
    }
}

/// Cases 2-4: certificates s2n judges: a SHA-1-signed leaf, the name rule, small RSA keys.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn certificates_as_s2n_judges_them() {
    if !openssl_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let pki = Pki::new(dir.path());
    let key = pki.rsa_key("leaf", 2048);
    let ours = leaf_extensions(&format!("DNS:{NAME}"));
    let intermediate = pki.intermediate();
    let sha1 = pki.certificate("sha1", &key, NAME, &ours, "int", "-sha1");
    let cn_only = pki.certificate(
        "cn-only",
        &key,
        NAME,
        &leaf_extensions("DNS:other.s2n.test"),
        "ca",
        "-sha256",
    );
    let no_san = pki.certificate("no-san", &key, NAME, &leaf_extensions(""), "ca", "-sha256");
    let key1024 = pki.rsa_key("rsa1024", 1024);
    let rsa1024 = pki.certificate("rsa1024", &key1024, NAME, &ours, "ca", "-sha256");
    let key512 = pki.rsa_key("rsa512", 512);
    let rsa512 = pki.certificate("rsa512", &key512, NAME, &ours, "ca", "-sha256");

    // OpenSSL 3 refuses SHA-1 chains and keys under 2048 bits from security level 1 up.
    let level0 = ["-cipher", "DEFAULT:@SECLEVEL=0"];
    let (p_sha1, _s1) = s_server(
        &sha1,
        &key,
        &[level0[0], level0[1], "-cert_chain", &intermediate],
    )
    .await;
    let (p_cn_only, _s2) = s_server(&cn_only, &key, &[]).await;
    let (p_no_san, _s3) = s_server(&no_san, &key, &[]).await;
    let small_keys = [
        ("RSA 1024", &rsa1024, &key1024, false),
        ("RSA 1024, TLS 1.2", &rsa1024, &key1024, true),
        ("RSA 512", &rsa512, &key512, false),
        ("RSA 512, TLS 1.2", &rsa512, &key512, true),
    ];
    let mut small = Vec::new();
    for (label, cert, key, tls12) in small_keys {
        let extra: Vec<&str> = if tls12 {
            vec![level0[0], level0[1], "-tls1_2"]
        } else {
            level0.to_vec()
        };
        let (port, peer) = s_server(cert, key, &extra).await;
        small.push((label, port, peer));
    }

    let mut targets: Vec<String> = [p_sha1, p_cn_only, p_no_san]
        .iter()
        .map(|p| target(*p))
        .collect();
    targets.extend(small.iter().map(|(_, port, _)| target(*port)));
    let report = scan(&pki, &targets).await;

    // 2. The intermediate signs the leaf with SHA-1; CloudFront's s2n accepts the chain.
    // Reported: CERT_WEAK_SIGNATURE (low), HTTP_NO_KEEPALIVE (s_server's `-www` closes).
    let o = origin(&report, p_sha1);
    assert!(
        has(o, "CERT_WEAK_SIGNATURE") && o.findings.iter().all(|f| f.severity < Severity::Critical),
        "SHA-1 leaf: {}",
        describe(o)
    );

    // 3a. CN is the origin name but the SAN lists only another name: s2n ignores the CN
    // (S2N_ERR_CERT_INVALID_HOSTNAME). Reported: CERT_NAME_MISMATCH (critical).
    let o = origin(&report, p_cn_only);
    assert!(has(o, "CERT_NAME_MISMATCH"), "CN only: {}", describe(o));

    // 3b. No SAN at all, CN the origin name: s2n falls back to the CN. Reported:
    // HTTP_NO_KEEPALIVE only.
    let o = origin(&report, p_no_san);
    assert!(
        !o.codes().iter().any(|c| c.starts_with("CERT_")),
        "no SAN, CN matches: {}",
        describe(o)
    );

    // 4. Small RSA keys. Reported: RSA 1024 (TLS 1.3 and 1.2) and RSA 512 over TLS 1.2:
    // HTTP_NO_KEEPALIVE only, s2n accepts them and the request runs. RSA 512 offered TLS 1.3:
    // TLS_HANDSHAKE_FAILED, s_server sends `handshake_failure` (a 512-bit key is too small for
    // RSA-PSS-SHA256). The verdict must agree with s2n: either a critical TLS/CERT finding and
    // no HTTP exchange, or no such finding and a response (a time to first byte).
    for (label, port, _) in &small {
        let o = origin(&report, *port);
        let refused = !critical_tls(o).is_empty();
        assert!(
            refused != o.timings_ms.ttfb.is_some(),
            "{label}: the verdict and the HTTP exchange disagree: {}",
            describe(o)
        );
    }
}

/// Null cipher suites only: s2n offers none, so CloudFront's handshake fails; the diagnosis says
/// no common cipher (and which suite the origin takes), not a bare handshake failure.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn null_cipher_suites_only_have_no_suite_in_common() {
    if !openssl_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let pki = Pki::new(dir.path());
    let key = pki.rsa_key("leaf", 2048);
    let ours = leaf_extensions(&format!("DNS:{NAME}"));
    let cert = pki.certificate("leaf", &key, NAME, &ours, "ca", "-sha256");
    let (null, _s1) = s_server(
        &cert,
        &key,
        &["-tls1_2", "-cipher", "NULL-SHA256:NULL-SHA:@SECLEVEL=0"],
    )
    .await;
    let (healthy, _s2) = s_server(&cert, &key, &["-tls1_2"]).await;
    let report = scan(&pki, &[target(null), target(healthy)]).await;

    let o = origin(&report, null);
    assert_eq!(
        o.codes(),
        vec!["TLS_NO_COMMON_CIPHER"],
        "null: {}",
        describe(o)
    );
    let summary = &o.findings[0].summary;
    assert!(
        summary.contains("NULL-SHA"),
        "the suite it takes: {summary}"
    );
    let o = origin(&report, healthy);
    assert!(
        critical_tls(o).is_empty() && o.timings_ms.ttfb.is_some(),
        "healthy: {}",
        describe(o)
    );
}

/// Case 5: a leaf with 10,000 SANs (about 215 KB), over s2n's 64 KiB handshake message limit.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_leaf_is_over_s2ns_message_limit() {
    if !openssl_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let pki = Pki::new(dir.path());
    let key = pki.rsa_key("leaf", 2048);
    let mut names = format!("subjectAltName=@alt\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n[alt]\nDNS.1={NAME}\n");
    for i in 2..=10_000 {
        names.push_str(&format!("DNS.{i}=h{i}.large.s2n.test\n"));
    }
    let cert = pki.certificate("large", &key, NAME, &names, "ca", "-sha256");
    let (tls12, _s1) = s_server(&cert, &key, &["-tls1_2"]).await;
    let (tls13, _s2) = s_server(&cert, &key, &[]).await;
    let report = scan(&pki, &[target(tls12), target(tls13)]).await;

    // Over TLS 1.2 the Certificate message is in the clear. Reported: TLS_MESSAGE_TOO_LARGE
    // (critical, a 219,722-byte message, s2n's S2N_ERR_BAD_MESSAGE).
    let o = origin(&report, tls12);
    assert!(
        has(o, "TLS_MESSAGE_TOO_LARGE") && !has(o, "CERT_INVALID"),
        "large leaf, TLS 1.2: {}",
        describe(o)
    );

    // Over TLS 1.3 the Certificate message is encrypted: s2n refuses it as a bad message after
    // more than 64 KiB came, and that is read as the size.
    let o = origin(&report, tls13);
    assert_eq!(
        o.codes(),
        vec!["TLS_MESSAGE_TOO_LARGE"],
        "large leaf, TLS 1.3: {}",
        describe(o)
    );
}

/// Case 6: TLS served on the port the protocol policy uses for plain HTTP (`http-only`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_on_the_http_only_port() {
    if !openssl_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let pki = Pki::new(dir.path());
    let key = pki.rsa_key("leaf", 2048);
    let cert = pki.certificate(
        "leaf",
        &key,
        NAME,
        &leaf_extensions(&format!("DNS:{NAME}")),
        "ca",
        "-sha256",
    );
    let (port, _server) = s_server(&cert, &key, &[]).await;
    let csv = dir.path().join("http-only.csv");
    std::fs::write(
        &csv,
        format!("origin,port,protocol_policy\n{NAME},{port},http-only\n"),
    )
    .unwrap();
    let report = scan(&pki, &["-i".into(), csv.display().to_string()]).await;

    // OpenSSL closes on a plain HTTP request without an alert (SSL_R_HTTP_REQUEST): a ClientHello
    // on that port after the silent close tells that it speaks TLS.
    let o = origin(&report, port);
    assert_eq!(
        o.codes(),
        vec!["HTTP_PLAINTEXT_POLICY_MISMATCH"],
        "TLS on the HTTP port: {}",
        describe(o)
    );
}
