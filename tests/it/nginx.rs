//! A real web server nobody here wrote: nginx on loopback, one server with
//! `keepalive_timeout 2s` and one with nginx's default (75 s). The idle probe must catch the
//! first (CloudFront keeps origin connections 5 s by default) and pass the second.

use crate::common;

use std::process::Stdio;
use std::time::Duration;

use crate::peers::{free_port, nginx_binary};
use common::{args, originscan, stderr};
use originscan::report::Report;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nginx_short_keepalive_is_found_and_default_is_not() {
    let Some(nginx) = nginx_binary() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install nginx (.ci/run)"
        );
        crate::common::skip("nginx is not installed (apt-get install nginx)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (short, default) = (free_port(), free_port());
    let d = dir.path().display();
    let config = format!(
        "daemon off; master_process off; worker_processes 1; pid {d}/nginx.pid; error_log {d}/error.log;\n\
         events {{ worker_connections 64; }}\n\
         http {{ access_log off; client_body_temp_path {d}/body; proxy_temp_path {d}/proxy;\n\
           fastcgi_temp_path {d}/fastcgi; uwsgi_temp_path {d}/uwsgi; scgi_temp_path {d}/scgi;\n\
           server {{ listen 127.0.0.1:{short}; keepalive_timeout 2s; location / {{ return 200 \"ok\\n\"; }} }}\n\
           server {{ listen 127.0.0.1:{default}; location / {{ return 200 \"ok\\n\"; }} }}\n\
         }}\n"
    );
    std::fs::write(dir.path().join("nginx.conf"), config).unwrap();
    let mut server = tokio::process::Command::new(nginx)
        .args([
            "-p",
            &d.to_string(),
            "-c",
            &format!("{d}/nginx.conf"),
            "-e",
            &format!("{d}/error.log"),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("nginx starts");
    // Wait until both ports accept.
    for port in [short, default] {
        let mut up = false;
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                up = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert!(
            up,
            "nginx did not listen on {port}: {}",
            std::fs::read_to_string(dir.path().join("error.log")).unwrap_or_default()
        );
    }

    let output = originscan(&args(&[
        "scan",
        &format!("http://127.0.0.1:{short}"),
        &format!("http://127.0.0.1:{default}"),
        "--allow-private",
        "127.0.0.0/8",
        "--resolver",
        "127.0.0.1:9",
        "--no-progress",
        "-f",
        "json",
    ]))
    .await;
    let _ = server.kill().await;
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let report: Report = serde_json::from_slice(&output.stdout).expect("json");
    let codes = |port: u16| {
        report
            .origins
            .iter()
            .find(|o| o.port == port)
            .map(|o| o.codes())
            .expect("row")
    };
    assert_eq!(codes(short), vec!["HTTP_KEEPALIVE_SHORTER"]);
    assert_eq!(codes(default), Vec::<&str>::new());
    let finding = &report
        .origins
        .iter()
        .find(|o| o.port == short)
        .unwrap()
        .findings[0];
    let after = finding.evidence["observed_after_ms"]
        .as_u64()
        .expect("observed close");
    assert!(
        (1500..3500).contains(&after),
        "nginx closed after {after} ms"
    );
}
