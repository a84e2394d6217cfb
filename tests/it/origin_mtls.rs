//! Issue 16, item 2: origin mTLS against a real peer, `openssl s_server -Verify 1
//! -verify_return_error` trusting one client CA, over TLS 1.3 (the origin's refusal comes after
//! the client's handshake, on the first read) and TLS 1.2 (in the handshake). The certificates
//! are made here with rcgen: the origin's (a test CA given with `--ca-file`), CloudFront's
//! client certificate from the CA the origin trusts, and one from another CA.
//!
//! The export (checked against botocore's model) has a distribution with OriginMtlsConfig
//! (origins on both servers) and one without; a command-line target cannot say. Scanned without
//! a certificate, with the right one (flags), and with the other (`originscan.toml`), and with
//! files that must be refused before any traffic.

use std::path::Path;
use std::process::Stdio;

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};
use serde_json::{json, Value};

use crate::common::{args, originscan, read_json, stderr};
use crate::peers::{free_port, openssl_available, wait_listening};

const MTLS: &str = "mtls.test";
const PLAIN: &str = "plain.test";

/// The files the test writes: `ca.pem` (the origins' CA), `leaf.pem`/`leaf.key` (the origins'),
/// `clientca.pem` (the CA the origins trust for clients), `client.pem`/`client.key` (from it)
/// and `other.pem`/`other.key` (from another CA).
struct Pki {
    dir: tempfile::TempDir,
}

fn ca(name: &str) -> CertifiedIssuer<'static, KeyPair> {
    let mut params = CertificateParams::default();
    params.distinguished_name.push(DnType::CommonName, name);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap()
}

fn leaf(
    issuer: &CertifiedIssuer<'static, KeyPair>,
    names: &[&str],
    usage: ExtendedKeyUsagePurpose,
) -> (String, String) {
    let key = KeyPair::generate().unwrap();
    let mut params =
        CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>()).unwrap();
    params
        .distinguished_name
        .push(DnType::CommonName, names[0].to_string());
    params.is_ca = IsCa::ExplicitNoCa;
    params.extended_key_usages = vec![usage];
    let cert = params.signed_by(&key, issuer).unwrap();
    (cert.pem(), key.serialize_pem())
}

impl Pki {
    fn new() -> Pki {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
        let server_ca = ca("originscan mTLS test server CA");
        let (cert, key) = leaf(
            &server_ca,
            &[MTLS, PLAIN],
            ExtendedKeyUsagePurpose::ServerAuth,
        );
        write("ca.pem", &server_ca.pem());
        write("leaf.pem", &cert);
        write("leaf.key", &key);
        let client_ca = ca("originscan mTLS test client CA");
        let (cert, key) = leaf(
            &client_ca,
            &["cloudfront-client.test"],
            ExtendedKeyUsagePurpose::ClientAuth,
        );
        write("clientca.pem", &client_ca.pem());
        write("client.pem", &cert);
        write("client.key", &key);
        let other_ca = ca("originscan mTLS test other CA");
        let (cert, key) = leaf(
            &other_ca,
            &["cloudfront-client.test"],
            ExtendedKeyUsagePurpose::ClientAuth,
        );
        write("other.pem", &cert);
        write("other.key", &key);
        Pki { dir }
    }

    fn path(&self, name: &str) -> String {
        self.dir.path().join(name).display().to_string()
    }
}

/// `openssl s_server` requiring a client certificate from `clientca.pem` and refusing any other
/// (`-verify_return_error`: without it s_server only logs a failed verification), answering
/// HTTP (`-www`); killed when dropped.
struct Server {
    port: u16,
    _child: tokio::process::Child,
}

async fn s_server(pki: &Pki, version: &str) -> Server {
    let port = free_port();
    let child = tokio::process::Command::new("openssl")
        .args([
            "s_server",
            "-accept",
            &format!("127.0.0.1:{port}"),
            "-cert",
            &pki.path("leaf.pem"),
            "-key",
            &pki.path("leaf.key"),
            "-Verify",
            "1",
            "-verify_return_error",
            "-CAfile",
            &pki.path("clientca.pem"),
            "-www",
            "-quiet",
            version,
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("s_server starts");
    wait_listening(port, &format!("s_server {version}")).await;
    Server {
        port,
        _child: child,
    }
}

/// A custom origin of an export, https-only on `port`; with OriginMtlsConfig when `mtls`.
fn origin(id: &str, domain: &str, port: u16, mtls: bool) -> Value {
    let mut custom = json!({
        "HTTPPort": 80,
        "HTTPSPort": port,
        "OriginProtocolPolicy": "https-only",
        "OriginSslProtocols": {"Quantity": 1, "Items": ["TLSv1.2"]},
        "OriginReadTimeout": 5,
        "OriginKeepaliveTimeout": 5
    });
    if mtls {
        custom["OriginMtlsConfig"] = json!({
            "ClientCertificateArn":
                "arn:aws:acm:us-east-1:111122223333:certificate/1234abcd-12ab-34cd-56ef-1234567890ab"
        });
    }
    json!({
        "Id": id,
        "DomainName": domain,
        "OriginPath": "",
        "CustomHeaders": {"Quantity": 0},
        "CustomOriginConfig": custom,
        "ConnectionAttempts": 1,
        "ConnectionTimeout": 2
    })
}

fn distribution(id: &str, origins: Vec<Value>) -> Value {
    let first = origins[0]["Id"].clone();
    json!({
        "Id": id,
        "DomainName": format!("{}.cloudfront.net", id.to_lowercase()),
        "Aliases": {"Quantity": 0},
        "Origins": {"Quantity": origins.len(), "Items": origins},
        "OriginGroups": {"Quantity": 0},
        "DefaultCacheBehavior": {"TargetOriginId": first},
        "CacheBehaviors": {"Quantity": 0}
    })
}

/// The export: EMTLS (OriginMtlsConfig) with `tls13` on the TLS 1.3 server and `tls12` on the
/// TLS 1.2 one; EPLAIN (none) with `plain` on the TLS 1.3 server.
fn write_export(dir: &Path, tls13: u16, tls12: u16) -> String {
    let export = json!({"DistributionList": {"Marker": "", "MaxItems": 100, "IsTruncated": false,
    "Quantity": 2, "Items": [
        distribution("EMTLS", vec![
            origin("tls13", MTLS, tls13, true),
            origin("tls12", MTLS, tls12, true),
        ]),
        distribution("EPLAIN", vec![origin("plain", PLAIN, tls13, false)]),
    ]}});
    crate::origin_request::write_export(dir, &export)
}

/// `scan` of the export and of `mtls.test:<tls12>` from the command line, with the `extra`
/// flags; the JSON report.
async fn scan(pki: &Pki, export: &str, tls12: u16, extra: &[&str]) -> Value {
    let out = pki.dir.path().join("report.json");
    let mut command = args(&[
        "scan",
        "--no-progress",
        "--no-idle-probe",
        "--allow-private",
        "127.0.0.0/8",
        "--resolver",
        "127.0.0.1:9",
        "--resolve",
        &format!("{MTLS}:127.0.0.1"),
        "--resolve",
        &format!("{PLAIN}:127.0.0.1"),
        "--ca-file",
        &pki.path("ca.pem"),
        "-f",
        "json",
        "-o",
        out.to_str().unwrap(),
        "-i",
        export,
    ]);
    command.extend(extra.iter().map(|s| s.to_string()));
    command.push(format!("{MTLS}:{tls12}"));
    let output = originscan(&command).await;
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    read_json(&out)
}

/// The report's origin by origin id (`cli` for the command-line target).
fn by_id<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["origins"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["origin_id"].as_str().unwrap_or("cli") == id)
        .unwrap_or_else(|| panic!("no origin {id} in {report}"))
}

/// The origin's findings whose code starts with `TLS_CLIENT_CERT`, as (code, severity).
fn client_cert_findings(origin: &Value) -> Vec<(String, String)> {
    origin["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"].as_str().unwrap().starts_with("TLS_CLIENT_CERT"))
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["severity"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn criticals(origin: &Value) -> Vec<String> {
    origin["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "critical")
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect()
}

fn finding<'a>(origin: &'a Value, code: &str) -> &'a Value {
    origin["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == code)
        .unwrap_or_else(|| panic!("no {code} in {origin}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn origin_mtls_is_verified_with_the_certificate_given() {
    if !openssl_available() {
        return;
    }
    let pki = Pki::new();
    let tls13 = s_server(&pki, "-tls1_3").await;
    let tls12 = s_server(&pki, "-tls1_2").await;
    let export = write_export(pki.dir.path(), tls13.port, tls12.port);

    // (a) No certificate: with OriginMtlsConfig the request is info, not verified; without it
    // (the export's plain origin, the command-line target) CloudFront's 502.
    let report = scan(&pki, &export, tls12.port, &[]).await;
    for id in ["tls13", "tls12"] {
        let origin = by_id(&report, id);
        assert_eq!(
            client_cert_findings(origin),
            vec![("TLS_CLIENT_CERT_REQUIRED".into(), "info".into())],
            "{id}: {origin}"
        );
        assert_eq!(
            finding(origin, "TLS_CLIENT_CERT_REQUIRED")["evidence"]["client_certificate"],
            "not verified"
        );
        assert!(criticals(origin).is_empty(), "{id}: {origin}");
        assert_eq!(origin["settings"]["origin_mtls"], true);
        assert!(origin["settings"].get("client_certificate").is_none());
    }
    for id in ["plain", "cli"] {
        let origin = by_id(&report, id);
        assert_eq!(
            criticals(origin),
            vec!["TLS_CLIENT_CERT_REQUIRED".to_string()],
            "{id}: {origin}"
        );
    }

    // (b) The certificate the origins trust, by flags: presented to the origins with
    // OriginMtlsConfig and to the command-line target, and accepted; never to the plain
    // origin (d), which stays CloudFront's 502.
    let right = [
        "--origin-client-cert",
        &pki.path("client.pem"),
        "--origin-client-key",
        &pki.path("client.key"),
    ];
    let report = scan(&pki, &export, tls12.port, &right).await;
    for id in ["tls13", "tls12", "cli"] {
        let origin = by_id(&report, id);
        assert!(client_cert_findings(origin).is_empty(), "{id}: {origin}");
        assert!(criticals(origin).is_empty(), "{id}: {origin}");
        assert_eq!(origin["settings"]["client_certificate"], "accepted", "{id}");
    }
    let plain = by_id(&report, "plain");
    assert_eq!(
        criticals(plain),
        vec!["TLS_CLIENT_CERT_REQUIRED".to_string()],
        "{plain}"
    );
    assert_eq!(plain["settings"]["client_certificate"], "withheld");

    // (c) A certificate from another CA, from originscan.toml: refused, CloudFront's 502.
    let config = pki.dir.path().join("originscan.toml");
    std::fs::write(
        &config,
        format!(
            "origin_client_cert = {:?}\norigin_client_key = {:?}\n",
            pki.path("other.pem"),
            pki.path("other.key")
        ),
    )
    .unwrap();
    let report = scan(
        &pki,
        &export,
        tls12.port,
        &["--config", config.to_str().unwrap()],
    )
    .await;
    for (id, stage) in [("tls13", "after handshake"), ("tls12", "handshake")] {
        let origin = by_id(&report, id);
        assert_eq!(
            criticals(origin),
            vec!["TLS_CLIENT_CERT_REJECTED".to_string()],
            "{id}: {origin}"
        );
        let rejected = finding(origin, "TLS_CLIENT_CERT_REJECTED");
        assert!(
            rejected["summary"]
                .as_str()
                .unwrap()
                .contains("the certificate given by --origin-client-cert was refused"),
            "{rejected}"
        );
        assert_eq!(rejected["evidence"]["alert"], "unknown_ca", "{id}");
        assert_eq!(rejected["evidence"]["alert_stage"], stage, "{id}");
        assert_eq!(origin["settings"]["client_certificate"], "refused");
    }
    drop((tls13, tls12));
}

/// The HTML detail says what became of the certificate.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_html_detail_says_the_certificate_was_presented_and_accepted() {
    if !openssl_available() {
        return;
    }
    let pki = Pki::new();
    let server = s_server(&pki, "-tls1_3").await;
    let out = pki.dir.path().join("report.html");
    let output = originscan(&args(&[
        "scan",
        "--no-progress",
        "--no-idle-probe",
        "--allow-private",
        "127.0.0.0/8",
        "--resolver",
        "127.0.0.1:9",
        "--resolve",
        &format!("{MTLS}:127.0.0.1"),
        "--ca-file",
        &pki.path("ca.pem"),
        "--origin-client-cert",
        &pki.path("client.pem"),
        "--origin-client-key",
        &pki.path("client.key"),
        "-o",
        out.to_str().unwrap(),
        &format!("{MTLS}:{}", server.port),
    ]))
    .await;
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let html = std::fs::read_to_string(&out).unwrap();
    assert!(
        html.contains("client certificate presented and accepted"),
        "{html}"
    );
}

/// (e) Files that cannot be used stop the scan before any traffic (exit 2), naming the file
/// and the flag, never showing the key; so does one flag without the other.
#[tokio::test]
async fn unusable_certificate_files_are_refused_before_any_traffic() {
    let pki = Pki::new();
    let junk = pki.dir.path().join("junk.pem");
    std::fs::write(&junk, "not a certificate\n").unwrap();
    let junk = junk.display().to_string();
    let key_text = std::fs::read_to_string(pki.path("other.key")).unwrap();
    let key_body: String = key_text.lines().nth(1).unwrap().to_string();
    let (client_pem, client_key, other_key) = (
        pki.path("client.pem"),
        pki.path("client.key"),
        pki.path("other.key"),
    );
    let cases: [(Vec<&str>, &str, &str); 5] = [
        (
            vec![
                "--origin-client-cert",
                &junk,
                "--origin-client-key",
                &client_key,
            ],
            "--origin-client-cert",
            &junk,
        ),
        (
            vec![
                "--origin-client-cert",
                &client_pem,
                "--origin-client-key",
                &junk,
            ],
            "--origin-client-key",
            &junk,
        ),
        (
            vec![
                "--origin-client-cert",
                &client_pem,
                "--origin-client-key",
                &other_key,
            ],
            "does not belong",
            "other.key",
        ),
        (
            vec!["--origin-client-cert", &client_pem],
            "--origin-client-key",
            "--origin-client-cert",
        ),
        (
            vec!["--origin-client-key", &client_key],
            "--origin-client-cert",
            "--origin-client-key",
        ),
    ];
    // A listener that must never see a connection: the files are checked first.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    for (flags, want, file) in cases {
        let mut command = args(&[
            "scan",
            "--no-progress",
            "--allow-private",
            "127.0.0.0/8",
            "--resolver",
            "127.0.0.1:9",
            "--resolve",
            &format!("{MTLS}:127.0.0.1"),
            &format!("{MTLS}:{port}"),
        ]);
        command.extend(flags.iter().map(|s| s.to_string()));
        let output = originscan(&command).await;
        let text = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{flags:?}: {text}");
        assert!(
            text.contains(want) && text.contains(file),
            "{flags:?}: {text}"
        );
        assert!(
            !text.contains(&key_body) && !text.contains("BEGIN PRIVATE"),
            "{text}"
        );
        assert!(
            listener.accept().is_err(),
            "{flags:?}: a connection was made"
        );
    }
}
