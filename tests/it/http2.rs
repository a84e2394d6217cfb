//! Issue 16, item 4: HTTP/2 to the origin. A TLS origin on loopback (rustls, with the lab CA's
//! certificate) records, per connection, the ALPN list the client offered, what it selected,
//! and the request it got (`:path`/request line, `:authority`/Host, headers); it answers over
//! HTTP/2 when it selected `h2`, else over HTTP/1.1, or breaks HTTP/2 on purpose. And a real
//! nginx with `http2` on, and one without.
//!
//! What is asserted: an `http2` origin is offered exactly `h2`, `http/1.1` and asked over
//! HTTP/2 with the same path and headers as over HTTP/1.1; an `http1.1` origin is offered no
//! ALPN at all; a healthy h2 answer has no finding and the report says `h2` was used; a 503
//! over h2 is HTTP_ORIGIN_5XX; an origin that selects h2 and then speaks HTTP/1.1, closes, or
//! resets the stream is HTTP_H2_FAILED; a gRPC behavior's origin that does not select h2 is
//! HTTP_GRPC_NO_H2.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use crate::common::{args, originscan, read_json, stderr};
use crate::peers::{free_port, nginx_binary, openssl, openssl_available, wait_listening};

const NAME: &str = "origin.test";
const SECRET: &str = "h2-secret-5d1c";

/// One TLS connection as the origin saw it.
#[derive(Debug, Clone, Default)]
struct Connection {
    /// The ALPN protocols the ClientHello offered (`None`: no ALPN extension).
    offered: Option<Vec<String>>,
    /// What the origin selected.
    selected: Option<String>,
    /// The request, if one came.
    request: Option<Request>,
}

#[derive(Debug, Clone)]
struct Request {
    /// `h2` or `http/1.1`.
    protocol: &'static str,
    path: String,
    /// `:authority` over HTTP/2, `Host` over HTTP/1.1.
    authority: String,
    /// Lower-case names.
    headers: Vec<(String, String)>,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// How the origin behaves once TLS is up.
#[derive(Debug, Clone, Copy)]
enum Mode {
    /// Supports `h2` and `http/1.1`; answers `status` over whichever was selected.
    Answer(u16),
    /// Supports only `http/1.1` (answers 200).
    Http11Only,
    /// Selects `h2`, then answers with HTTP/1.1 bytes.
    H2ThenHttp11,
    /// Selects `h2`, then closes the connection.
    H2ThenClose,
    /// Selects `h2`, then resets the request's stream (INTERNAL_ERROR).
    H2Reset,
}

type Log = Arc<Mutex<Vec<Connection>>>;

/// The rustls server config: the lab leaf for [`NAME`], with `alpn` supported.
fn server_config(
    served: &originscan::lab::ca::ServedCert,
    alpn: &[&[u8]],
) -> Arc<rustls::ServerConfig> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_no_client_auth()
        .with_single_cert(served.chain.clone(), served.key.clone_key())
        .expect("certificate");
    config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    Arc::new(config)
}

/// The origin on a free loopback port; every connection recorded in the log.
async fn start_origin(mode: Mode, served: &originscan::lab::ca::ServedCert) -> (u16, Log) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("address").port();
    let alpn: &[&[u8]] = match mode {
        Mode::Http11Only => &[b"http/1.1"],
        _ => &[b"h2", b"http/1.1"],
    };
    let config = server_config(served, alpn);
    let log: Log = Arc::new(Mutex::new(Vec::new()));
    let connections = log.clone();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let config = config.clone();
            let log = connections.clone();
            tokio::spawn(async move {
                let _ =
                    tokio::time::timeout(Duration::from_secs(15), serve(tcp, config, mode, log))
                        .await;
            });
        }
    });
    (port, log)
}

async fn serve(
    tcp: tokio::net::TcpStream,
    config: Arc<rustls::ServerConfig>,
    mode: Mode,
    log: Log,
) {
    let acceptor = tokio_rustls::LazyConfigAcceptor::new(rustls::server::Acceptor::default(), tcp);
    let Ok(start) = acceptor.await else { return };
    let offered = start.client_hello().alpn().map(|list| {
        list.map(|p| String::from_utf8_lossy(p).into_owned())
            .collect::<Vec<_>>()
    });
    let index = {
        let mut log = log.lock().unwrap();
        log.push(Connection {
            offered,
            ..Connection::default()
        });
        log.len() - 1
    };
    let Ok(mut tls) = start.into_stream(config).await else {
        return;
    };
    let selected = tls
        .get_ref()
        .1
        .alpn_protocol()
        .map(|p| String::from_utf8_lossy(p).into_owned());
    log.lock().unwrap()[index].selected = selected.clone();
    let record = |request: Request| log.lock().unwrap()[index].request = Some(request);
    if selected.as_deref() != Some("h2") {
        // HTTP/1.1: read the head, record it, answer.
        let mut head = Vec::new();
        let mut buf = [0u8; 4096];
        while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 64 * 1024 {
            match tls.read(&mut buf).await {
                Ok(n) if n > 0 => head.extend_from_slice(&buf[..n]),
                _ => return,
            }
        }
        let text = String::from_utf8_lossy(&head).into_owned();
        let mut lines = text.split("\r\n");
        let request_line = lines.next().unwrap_or_default().to_string();
        let headers: Vec<(String, String)> = lines
            .take_while(|l| !l.is_empty())
            .filter_map(|l| l.split_once(':'))
            .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
            .collect();
        let path = request_line
            .split(' ')
            .nth(1)
            .unwrap_or_default()
            .to_string();
        let authority = headers
            .iter()
            .find(|(n, _)| n == "host")
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        record(Request {
            protocol: "http/1.1",
            path,
            authority,
            headers,
        });
        let status = match mode {
            Mode::Answer(status) => status,
            _ => 200,
        };
        let response =
            format!("HTTP/1.1 {status} X\r\nContent-Length: 2\r\nKeep-Alive: timeout=60\r\n\r\nok");
        let _ = tls.write_all(response.as_bytes()).await;
        let _ = tls.read(&mut buf).await;
        return;
    }
    match mode {
        Mode::H2ThenHttp11 => {
            let mut buf = [0u8; 1024];
            let _ = tls.read(&mut buf).await;
            let _ = tls
                .write_all(
                    b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                )
                .await;
            let _ = tls.shutdown().await;
        }
        Mode::H2ThenClose => {
            let _ = tls.shutdown().await;
        }
        Mode::Answer(_) | Mode::H2Reset | Mode::Http11Only => {
            let Ok(mut connection) = h2::server::handshake(tls).await else {
                return;
            };
            while let Some(Ok((request, mut respond))) = connection.accept().await {
                let uri = request.uri();
                record(Request {
                    protocol: "h2",
                    path: uri
                        .path_and_query()
                        .map(|p| p.as_str().to_string())
                        .unwrap_or_default(),
                    authority: uri.authority().map(|a| a.to_string()).unwrap_or_default(),
                    headers: request
                        .headers()
                        .iter()
                        .map(|(n, v)| {
                            (
                                n.as_str().to_string(),
                                String::from_utf8_lossy(v.as_bytes()).into_owned(),
                            )
                        })
                        .collect(),
                });
                match mode {
                    Mode::Answer(status) => {
                        let response = http::Response::builder().status(status).body(()).unwrap();
                        if let Ok(mut body) = respond.send_response(response, false) {
                            let _ = body.send_data(Bytes::from_static(b"ok"), true);
                        }
                    }
                    _ => respond.send_reset(h2::Reason::INTERNAL_ERROR),
                }
            }
        }
    }
}

/// A list-distributions export: one https-only origin [`NAME`] on `port` with `extra`
/// CustomOriginConfig members, OriginPath `/v1` and a secret custom header; the default
/// behavior targets it, with `behavior` members added.
fn export(port: u16, custom: Value, behavior: Value) -> Value {
    let mut config = json!({
        "HTTPPort": 80,
        "HTTPSPort": port,
        "OriginProtocolPolicy": "https-only",
        "OriginSslProtocols": {"Quantity": 1, "Items": ["TLSv1.2"]},
        "OriginReadTimeout": 5,
        "OriginKeepaliveTimeout": 5
    });
    for (key, value) in custom.as_object().expect("an object") {
        config[key] = value.clone();
    }
    let mut default = json!({"TargetOriginId": "app"});
    for (key, value) in behavior.as_object().expect("an object") {
        default[key] = value.clone();
    }
    json!({"DistributionList": {"Marker": "", "MaxItems": 100, "IsTruncated": false,
    "Quantity": 1, "Items": [{
        "Id": "EH2EXAMPLE01",
        "DomainName": "d111111abcdef8.cloudfront.net",
        "Aliases": {"Quantity": 1, "Items": ["app.example.com"]},
        "Origins": {"Quantity": 1, "Items": [{
            "Id": "app",
            "DomainName": NAME,
            "OriginPath": "/v1",
            "CustomHeaders": {"Quantity": 1, "Items": [
                {"HeaderName": "X-Origin-Verify", "HeaderValue": SECRET}
            ]},
            "CustomOriginConfig": config,
            "ConnectionAttempts": 1,
            "ConnectionTimeout": 2
        }]},
        "OriginGroups": {"Quantity": 0},
        "DefaultCacheBehavior": default,
        "CacheBehaviors": {"Quantity": 0}
    }]}})
}

/// Whether the installed botocore's model has `CustomOriginConfig.OriginHttpVersion` (1.44.8
/// has it, 1.43.127 does not); outside CI an older one skips the field check, in CI it fails.
fn botocore_knows_origin_http_version() -> bool {
    const PROBE: &str = "from botocore.loaders import Loader\n\
        s = Loader().load_service_model('cloudfront', 'service-2', '2020-05-31')['shapes']\n\
        assert 'OriginHttpVersion' in s['CustomOriginConfig']['members']";
    let known = std::process::Command::new("python3")
        .args(["-c", PROBE])
        .output()
        .is_ok_and(|o| o.status.success());
    if !known {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install botocore 1.44.8 or later (.ci/run)"
        );
        crate::common::skip(
            "botocore's model has no OriginHttpVersion: fixture field check (pip install -U botocore)",
        );
    }
    known
}

/// Writes `export` and checks its member names against botocore's model (where installed).
fn write_export(dir: &Path, name: &str, export: &Value) -> String {
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_string_pretty(export).unwrap()).unwrap();
    if !botocore_knows_origin_http_version() {
        return path.to_string_lossy().into_owned();
    }
    let checker = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/check-fixture-fields.py");
    if let Ok(output) = std::process::Command::new("python3")
        .arg(checker)
        .arg(&path)
        .output()
    {
        // Exit 2: botocore is not installed (cloudfront_import's own test says so).
        assert!(
            output.status.code() != Some(1),
            "not botocore's shape: {}",
            String::from_utf8_lossy(&output.stdout)
        );
    }
    path.to_string_lossy().into_owned()
}

/// Scans the export `input` as CloudFront would reach [`NAME`] on loopback, trusting `ca`;
/// the JSON report's only origin.
async fn scan(input: &str, ca: &str, dir: &Path) -> Value {
    let out = dir.join("report.json");
    let output = originscan(&args(&[
        "scan",
        "--no-progress",
        "--no-idle-probe",
        "--resolve",
        &format!("{NAME}:127.0.0.1"),
        "--allow-private",
        "127.0.0.0/8",
        "--resolver",
        "127.0.0.1:9",
        "--ca-file",
        ca,
        "-f",
        "json",
        "-o",
        out.to_str().unwrap(),
        "-i",
        input,
    ]))
    .await;
    assert_ne!(output.status.code(), Some(2), "{}", stderr(&output));
    let report = read_json(&out);
    report["origins"][0].clone()
}

fn codes(origin: &Value) -> Vec<String> {
    origin["findings"]
        .as_array()
        .map(|f| {
            f.iter()
                .map(|f| f["code"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// The lab CA (its root written to `dir`) and a healthy leaf for [`NAME`].
fn pki(dir: &Path) -> (String, originscan::lab::ca::ServedCert) {
    let ca = originscan::lab::ca::LabCa::generate().expect("lab CA");
    let root = dir.join("lab-ca.pem");
    std::fs::write(&root, ca.root_pem()).unwrap();
    let served = ca
        .leaf(&originscan::lab::ca::LeafSpec::healthy(vec![NAME.into()]))
        .expect("leaf");
    (root.to_string_lossy().into_owned(), served)
}

/// The connections that carried a request.
fn requests(log: &Log) -> Vec<Connection> {
    log.lock()
        .unwrap()
        .iter()
        .filter(|c| c.request.is_some())
        .cloned()
        .collect()
}

fn h2_offer() -> Option<Vec<String>> {
    Some(vec!["h2".to_string(), "http/1.1".to_string()])
}

/// An `http2` origin is offered `h2`, `http/1.1` and asked over HTTP/2 for OriginPath + path,
/// `:authority` the origin name, with CloudFront's headers and the custom header; a healthy
/// answer has no finding, and the report's settings say what was offered and used. The same
/// origin on an `http1.1` distribution is offered no ALPN and asked over HTTP/1.1.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_http2_origin_is_offered_h2_and_asked_over_http2() {
    let dir = tempfile::tempdir().unwrap();
    let (ca, served) = pki(dir.path());
    let (port, log) = start_origin(Mode::Answer(200), &served).await;

    let input = write_export(
        dir.path(),
        "h2.json",
        &export(port, json!({"OriginHttpVersion": "http2"}), json!({})),
    );
    let origin = scan(&input, &ca, dir.path()).await;
    assert_eq!(codes(&origin), Vec::<String>::new(), "{origin:#}");
    let settings = &origin["settings"];
    assert_eq!(settings["http_version"], "http2");
    assert_eq!(settings["alpn_offered"], json!(["h2", "http/1.1"]));
    assert_eq!(settings["alpn_selected"], "h2");
    assert_eq!(settings["http_protocol"], "h2");
    let asked = requests(&log);
    assert_eq!(asked.len(), 1, "one request: {asked:?}");
    assert_eq!(asked[0].offered, h2_offer());
    assert_eq!(asked[0].selected.as_deref(), Some("h2"));
    let request = asked[0].request.clone().unwrap();
    assert_eq!(request.protocol, "h2");
    assert_eq!(request.path, "/v1/");
    assert_eq!(request.authority, NAME);
    assert_eq!(request.header("user-agent"), Some("Amazon CloudFront"));
    assert_eq!(request.header("x-origin-verify"), Some(SECRET));
    assert!(request.header("via").is_some(), "{request:?}");
    assert_eq!(
        request.header("connection"),
        None,
        "HTTP/2 has no Connection"
    );
    assert!(
        !serde_json::to_string(&origin).unwrap().contains(SECRET),
        "the secret is not in the report"
    );

    // The same origin, OriginHttpVersion absent (http1.1): no ALPN, HTTP/1.1.
    log.lock().unwrap().clear();
    let input = write_export(dir.path(), "h1.json", &export(port, json!({}), json!({})));
    let origin = scan(&input, &ca, dir.path()).await;
    assert_eq!(codes(&origin), Vec::<String>::new(), "{origin:#}");
    assert_eq!(origin["settings"]["http_version"], "http1.1");
    assert_eq!(origin["settings"].get("alpn_offered"), None);
    assert_eq!(origin["settings"]["http_protocol"], "http/1.1");
    let every = log.lock().unwrap().clone();
    assert!(
        every.iter().all(|c| c.offered.is_none()),
        "an http1.1 origin is offered no ALPN on any connection: {every:?}"
    );
    let asked = requests(&log);
    assert_eq!(asked.len(), 1, "{asked:?}");
    let request = asked[0].request.clone().unwrap();
    assert_eq!(request.protocol, "http/1.1");
    assert_eq!(request.path, "/v1/");
    assert_eq!(request.authority, NAME);
    assert_eq!(request.header("x-origin-verify"), Some(SECRET));
}

/// A 503 over HTTP/2 is the origin's own 5xx, as over HTTP/1.1; an origin that supports only
/// `http/1.1` gets HTTP/1.1 on an `http2` distribution (CloudFront falls back), but is
/// HTTP_GRPC_NO_H2 behind a gRPC behavior.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn h2_status_fallback_and_grpc() {
    let dir = tempfile::tempdir().unwrap();
    let (ca, served) = pki(dir.path());

    let (port, _log) = start_origin(Mode::Answer(503), &served).await;
    let input = write_export(
        dir.path(),
        "503.json",
        &export(port, json!({"OriginHttpVersion": "http2"}), json!({})),
    );
    let origin = scan(&input, &ca, dir.path()).await;
    assert_eq!(codes(&origin), vec!["HTTP_ORIGIN_5XX"], "{origin:#}");
    assert_eq!(origin["findings"][0]["evidence"]["http_protocol"], "h2");

    let (port, log) = start_origin(Mode::Http11Only, &served).await;
    let input = write_export(
        dir.path(),
        "fallback.json",
        &export(port, json!({"OriginHttpVersion": "http2"}), json!({})),
    );
    let origin = scan(&input, &ca, dir.path()).await;
    assert_eq!(codes(&origin), Vec::<String>::new(), "{origin:#}");
    assert_eq!(origin["settings"]["alpn_selected"], "http/1.1");
    assert_eq!(origin["settings"]["http_protocol"], "http/1.1");
    let asked = requests(&log);
    assert_eq!(asked[0].offered, h2_offer());
    assert_eq!(asked[0].request.as_ref().unwrap().protocol, "http/1.1");

    // Behind a gRPC behavior (OriginHttpVersion absent): h2 is offered all the same.
    log.lock().unwrap().clear();
    let input = write_export(
        dir.path(),
        "grpc.json",
        &export(port, json!({}), json!({"GrpcConfig": {"Enabled": true}})),
    );
    let origin = scan(&input, &ca, dir.path()).await;
    assert_eq!(codes(&origin), vec!["HTTP_GRPC_NO_H2"], "{origin:#}");
    assert_eq!(origin["settings"]["grpc"], true);
    assert_eq!(requests(&log)[0].offered, h2_offer());
}

/// An origin that selects h2 and then speaks HTTP/1.1, closes, or resets the stream:
/// HTTP_H2_FAILED, critical.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_origin_that_selects_h2_and_breaks_it_is_critical() {
    let dir = tempfile::tempdir().unwrap();
    let (ca, served) = pki(dir.path());
    for (mode, words) in [
        (Mode::H2ThenHttp11, "answered HTTP/1.1"),
        (Mode::H2ThenClose, "closed"),
        (Mode::H2Reset, "INTERNAL_ERROR"),
    ] {
        let (port, _log) = start_origin(mode, &served).await;
        let input = write_export(
            dir.path(),
            "broken.json",
            &export(port, json!({"OriginHttpVersion": "http2"}), json!({})),
        );
        let origin = scan(&input, &ca, dir.path()).await;
        assert_eq!(
            codes(&origin),
            vec!["HTTP_H2_FAILED"],
            "{mode:?}: {origin:#}"
        );
        let finding = &origin["findings"][0];
        assert_eq!(finding["severity"], "critical");
        assert_eq!(finding["evidence"]["cloudfront_answers"], 502);
        let reason = finding["evidence"]["reason"].as_str().unwrap();
        assert!(reason.contains(words), "{mode:?}: {reason}");
    }
}

/// A real nginx with `http2` on: an `http2` origin is asked over h2 (nginx's access log says
/// `HTTP/2.0`) with no finding; an nginx without http2 serves the same distribution over
/// HTTP/1.1, also with no finding.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nginx_with_and_without_http2() {
    let Some(nginx) = nginx_binary() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install nginx (.ci/run)"
        );
        crate::common::skip("nginx is not installed (apt-get install nginx)");
        return;
    };
    if !openssl_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (ca, served) = pki(dir.path());
    // The chain and key as PEM, for nginx.
    let d = dir.path().display().to_string();
    let mut chain_pem = String::new();
    for (i, cert) in served.chain.iter().enumerate() {
        let der = format!("{d}/cert{i}.der");
        std::fs::write(&der, cert.as_ref()).unwrap();
        let pem = format!("{d}/cert{i}.pem");
        openssl(&["x509", "-inform", "DER", "-in", &der, "-out", &pem]);
        chain_pem.push_str(&std::fs::read_to_string(&pem).unwrap());
    }
    std::fs::write(format!("{d}/chain.pem"), chain_pem).unwrap();
    std::fs::write(format!("{d}/key.der"), served.key.secret_der()).unwrap();
    openssl(&[
        "pkey",
        "-inform",
        "DER",
        "-in",
        &format!("{d}/key.der"),
        "-out",
        &format!("{d}/key.pem"),
    ]);
    let (with_h2, without) = (free_port(), free_port());
    let config = format!(
        "daemon off; master_process off; worker_processes 1; pid {d}/nginx.pid; error_log {d}/error.log;\n\
         events {{ worker_connections 64; }}\n\
         http {{ log_format proto '$server_port $server_protocol $request_uri $http_x_origin_verify';\n\
           access_log {d}/access.log proto;\n\
           client_body_temp_path {d}/body; proxy_temp_path {d}/proxy;\n\
           fastcgi_temp_path {d}/fastcgi; uwsgi_temp_path {d}/uwsgi; scgi_temp_path {d}/scgi;\n\
           ssl_certificate {d}/chain.pem; ssl_certificate_key {d}/key.pem;\n\
           server {{ listen 127.0.0.1:{with_h2} ssl http2; location / {{ return 200 \"ok\\n\"; }} }}\n\
           server {{ listen 127.0.0.1:{without} ssl; location / {{ return 200 \"ok\\n\"; }} }}\n\
         }}\n"
    );
    std::fs::write(dir.path().join("nginx.conf"), config).unwrap();
    let mut server = tokio::process::Command::new(nginx)
        .args([
            "-p",
            &d,
            "-c",
            &format!("{d}/nginx.conf"),
            "-e",
            &format!("{d}/error.log"),
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("nginx starts");
    wait_listening(with_h2, "nginx (http2)").await;
    wait_listening(without, "nginx").await;

    let mut used = Vec::new();
    for port in [with_h2, without] {
        let input = write_export(
            dir.path(),
            &format!("nginx-{port}.json"),
            &export(port, json!({"OriginHttpVersion": "http2"}), json!({})),
        );
        let origin = scan(&input, &ca, dir.path()).await;
        assert_eq!(codes(&origin), Vec::<String>::new(), "{port}: {origin:#}");
        used.push(
            origin["settings"]["http_protocol"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    let _ = server.kill().await;
    assert_eq!(used, ["h2", "http/1.1"]);
    let log = std::fs::read_to_string(dir.path().join("access.log")).unwrap_or_default();
    assert!(
        log.contains(&format!("{with_h2} HTTP/2.0 /v1/ {SECRET}")),
        "nginx saw HTTP/2 with the path and header:\n{log}"
    );
    assert!(
        log.contains(&format!("{without} HTTP/1.1 /v1/ {SECRET}")),
        "nginx without http2 saw HTTP/1.1:\n{log}"
    );
}
