//! What the tests against real peers share: finding the `openssl` and `nginx` binaries (a
//! skip outside CI when one is missing), running `openssl`, and a free loopback port with a
//! wait until a peer listens on it.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

/// Runs `openssl ARGS` to completion; panics with its stderr if it fails.
pub fn openssl(args: &[&str]) {
    let output = Command::new("openssl")
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("openssl runs");
    assert!(
        output.status.success(),
        "openssl {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Whether `openssl` is installed; outside CI a missing one is a skip, in CI a failure.
pub fn openssl_available() -> bool {
    let found = Command::new("openssl").arg("version").output().is_ok();
    if !found {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install openssl (.ci/run)"
        );
        crate::common::skip("openssl is not installed");
    }
    found
}

/// The nginx binary, if installed.
pub fn nginx_binary() -> Option<&'static str> {
    ["/usr/sbin/nginx", "/usr/bin/nginx"]
        .into_iter()
        .find(|p| Path::new(p).exists())
}

/// A loopback port nothing listens on (now).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// Waits (at most 5 s) until something listens on loopback `port`; panics naming `what`.
pub async fn wait_listening(port: u16, what: &str) {
    for _ in 0..200 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("{what} did not listen on {port}");
}
