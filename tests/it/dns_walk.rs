//! Why a name does not resolve, against real servers with a cold cache (issue 19): NSD
//! (authoritative) behind a real validating `unbound` (recursive, `cache-max-ttl: 0`,
//! `infra-host-ttl: 1`, `ede: yes`), on loopback, every server on one free port.
//!
//! - `walk.test`, the parent zone, on NSD at 127.61.0.1 and 127.62.0.1: delegations with glue
//!   to the children below, `www` and a CNAME loop (`loop-a` → `loop-b` → `loop-a`);
//! - `down.walk.test`: its two servers are down (127.61.1.1 has no socket, 127.62.1.1 reads and
//!   never answers). unbound times out or answers SERVFAIL for everything in it, so only the
//!   delegation walk (the parent's servers asked directly for the referral) can name them;
//! - `lame.walk.test`: 127.61.2.1 serves it, 127.62.2.1 (another NSD) does not (REFUSED);
//! - `bogus.walk.test`: signed with ldns-signzone, RRSIGs expired in 2020, its key a trust
//!   anchor of unbound: SERVFAIL, but it resolves with the CD bit;
//! - `good.walk.test`: signed the same way, valid: no DNS finding.
//!
//! unbound asks delegated servers on port 53, which the test cannot take, so each child zone
//! is a `stub-zone` in unbound pointing at the same addresses (and port) as the parent's
//! delegation; the walk itself reads the delegation from the parent's NSD, as on the internet.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use crate::common::{args, originscan, skip, stderr};
use crate::nsd::{find_nsd, free_port, start_nsd, wait_ready, Instance, Nsd};
use originscan::finding::Finding;
use originscan::report::Report;

const UNBOUND: &str = "127.61.0.53";
const PARENT: [&str; 2] = ["127.61.0.1", "127.62.0.1"];
const DOWN_CLOSED: &str = "127.61.1.1";
const DOWN_SILENT: &str = "127.62.1.1";
const LAME_GOOD: &str = "127.61.2.1";
const LAME_REFUSING: &str = "127.62.2.1";
const BOGUS: [&str; 2] = ["127.61.3.1", "127.62.3.1"];
const GOOD: [&str; 2] = ["127.61.4.1", "127.62.4.1"];
const WWW: &str = "127.61.9.9";

/// A binary in PATH or an sbin directory.
fn find(binary: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/sbin"), PathBuf::from("/usr/bin")])
        .map(|dir| dir.join(binary))
        .find(|candidate| candidate.is_file())
}

/// A running unbound, killed (by its own pid) when dropped.
struct Unbound {
    child: Child,
}

impl Drop for Unbound {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn soa(zone: &str) -> String {
    format!(
        "$ORIGIN {zone}.\n$TTL 60\n@ IN SOA ns1.{zone}. hostmaster.{zone}. 1 3600 600 86400 60\n"
    )
}

/// A zone with NS `ns1`, `ns2` at `addresses`, and `www`.
fn child_zone(zone: &str, addresses: [&str; 2]) -> String {
    let [a, b] = addresses;
    format!(
        "{}@ IN NS ns1.{zone}.\n@ IN NS ns2.{zone}.\nns1 IN A {a}\nns2 IN A {b}\nwww IN A {WWW}\n",
        soa(zone)
    )
}

fn parent_zone() -> String {
    let mut text = soa("walk.test");
    text.push_str(&format!(
        "@ IN NS ns1.walk.test.\n@ IN NS ns2.walk.test.\nns1 IN A {}\nns2 IN A {}\n\
         www IN A {WWW}\nloop-a IN CNAME loop-b.walk.test.\nloop-b IN CNAME loop-a.walk.test.\n",
        PARENT[0], PARENT[1]
    ));
    for (child, [a, b]) in [
        ("down", [DOWN_CLOSED, DOWN_SILENT]),
        ("lame", [LAME_GOOD, LAME_REFUSING]),
        ("bogus", BOGUS),
        ("good", GOOD),
    ] {
        text.push_str(&format!(
            "{child} IN NS ns1.{child}.walk.test.\n{child} IN NS ns2.{child}.walk.test.\n\
             ns1.{child} IN A {a}\nns2.{child} IN A {b}\n"
        ));
    }
    text
}

/// Signs `zone` (written to `dir`) with a new ECDSA key; `expired` signs it with RRSIGs valid
/// in 2019 only. Returns the signed zone's text and the key's DNSKEY file (a trust anchor).
fn sign(dir: &Path, zone: &str, expired: bool) -> (String, PathBuf) {
    let unsigned = dir.join(format!("{zone}.zone"));
    std::fs::write(
        &unsigned,
        child_zone(zone, if expired { BOGUS } else { GOOD }),
    )
    .unwrap();
    let keygen = Command::new("ldns-keygen")
        .args(["-a", "ECDSAP256SHA256", "-k", zone])
        .current_dir(dir)
        .output()
        .expect("ldns-keygen runs");
    assert!(keygen.status.success(), "ldns-keygen: {keygen:?}");
    let key = String::from_utf8_lossy(&keygen.stdout).trim().to_string();
    let signed = dir.join(format!("{zone}.signed"));
    let mut command = Command::new("ldns-signzone");
    if expired {
        command.args(["-e", "20200101000000", "-i", "20190101000000"]);
    }
    let status = command
        .arg("-f")
        .arg(&signed)
        .arg(&unsigned)
        .arg(&key)
        .current_dir(dir)
        .status()
        .expect("ldns-signzone runs");
    assert!(status.success(), "ldns-signzone {zone}");
    (
        std::fs::read_to_string(&signed).expect("signed zone"),
        dir.join(format!("{key}.key")),
    )
}

fn start_unbound(binary: &Path, dir: &Path, port: u16, anchors: &[PathBuf]) -> Unbound {
    let home = dir.join("unbound");
    std::fs::create_dir_all(&home).expect("unbound dir");
    let h = home.display();
    let mut conf = format!(
        "server:\n    interface: {UNBOUND}@{port}\n    do-ip6: no\n    username: \"\"\n    \
         chroot: \"\"\n    directory: \"{h}\"\n    pidfile: \"{h}/unbound.pid\"\n    \
         do-daemonize: no\n    use-syslog: no\n    logfile: \"{h}/unbound.log\"\n    \
         verbosity: 1\n    access-control: 127.0.0.0/8 allow\n    \
         do-not-query-localhost: no\n    cache-max-ttl: 0\n    cache-max-negative-ttl: 0\n    \
         infra-host-ttl: 1\n    module-config: \"validator iterator\"\n    ede: yes\n    \
         val-log-level: 2\n    qname-minimisation: no\n    local-zone: \"test.\" nodefault\n"
    );
    for anchor in anchors {
        conf.push_str(&format!(
            "    trust-anchor-file: \"{}\"\n",
            anchor.display()
        ));
    }
    conf.push_str("remote-control:\n    control-enable: no\n");
    for (zone, servers) in [
        ("walk.test", PARENT),
        ("down.walk.test", [DOWN_CLOSED, DOWN_SILENT]),
        ("lame.walk.test", [LAME_GOOD, LAME_REFUSING]),
        ("bogus.walk.test", BOGUS),
        ("good.walk.test", GOOD),
    ] {
        conf.push_str(&format!("stub-zone:\n    name: \"{zone}\"\n"));
        for server in servers {
            conf.push_str(&format!("    stub-addr: {server}@{port}\n"));
        }
    }
    let path = home.join("unbound.conf");
    std::fs::write(&path, conf).expect("unbound.conf");
    let check = Command::new(binary.with_file_name("unbound-checkconf"))
        .arg(&path)
        .output()
        .expect("unbound-checkconf runs");
    assert!(check.status.success(), "unbound-checkconf: {check:?}");
    let child = Command::new(binary)
        .arg("-d")
        .arg("-c")
        .arg(&path)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("unbound starts");
    Unbound { child }
}

fn findings<'a>(report: &'a Report, origin: &str) -> &'a [Finding] {
    &report
        .origins
        .iter()
        .find(|o| o.origin == origin)
        .unwrap_or_else(|| panic!("no row for {origin}"))
        .findings
}

fn dns_codes(report: &Report, origin: &str) -> Vec<String> {
    let mut codes: Vec<String> = findings(report, origin)
        .iter()
        .map(|f| f.code.to_string())
        .filter(|c| c.starts_with("DNS_"))
        .collect();
    codes.sort();
    codes
}

fn finding<'a>(report: &'a Report, origin: &str, code: &str) -> &'a Finding {
    findings(report, origin)
        .iter()
        .find(|f| f.code.as_str() == code)
        .unwrap_or_else(|| panic!("no {code} on {origin}: {:?}", dns_codes(report, origin)))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unbound_cold_cache_walk_dnssec_and_loops() {
    let tools = (
        find_nsd(),
        find("unbound"),
        find("ldns-keygen"),
        find("ldns-signzone"),
    );
    let (Some(nsd), Some(unbound), Some(_), Some(_)) = tools else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install nsd, unbound and ldnsutils (.ci/run)"
        );
        skip("nsd, unbound or ldns-signzone is missing (apt-get install nsd unbound ldnsutils)");
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let child_addresses = [LAME_GOOD, BOGUS[0], BOGUS[1], GOOD[0], GOOD[1]];
    let mut every = vec![UNBOUND, DOWN_CLOSED, DOWN_SILENT, LAME_REFUSING];
    every.extend(PARENT);
    every.extend(child_addresses);
    let port = free_port(&every);

    let (bogus, bogus_key) = sign(dir.path(), "bogus.walk.test", true);
    let (good, good_key) = sign(dir.path(), "good.walk.test", false);
    let instances = [
        Instance {
            name: "parent",
            addresses: &PARENT,
            zones: vec![("walk.test", "walk.zone".into(), parent_zone())],
        },
        Instance {
            name: "children",
            addresses: &child_addresses,
            zones: vec![
                (
                    "lame.walk.test",
                    "lame.zone".into(),
                    child_zone("lame.walk.test", [LAME_GOOD, LAME_REFUSING]),
                ),
                ("bogus.walk.test", "bogus.zone".into(), bogus),
                ("good.walk.test", "good.zone".into(), good),
            ],
        },
        Instance {
            name: "other",
            addresses: &[LAME_REFUSING],
            zones: vec![(
                "other.test",
                "other.zone".into(),
                child_zone("other.test", [LAME_REFUSING, LAME_REFUSING]),
            )],
        },
    ];
    let servers: Vec<Nsd> = instances
        .iter()
        .map(|i| start_nsd(&nsd, dir.path(), port, i))
        .collect();
    // The silent server of down.walk.test: reads every query, answers none.
    let silent = tokio::net::UdpSocket::bind((crate::nsd::ip(DOWN_SILENT), port))
        .await
        .expect("silent socket");
    let silent_received = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = silent_received.clone();
    let reader = tokio::spawn(async move {
        let mut buffer = [0u8; 1500];
        while silent.recv_from(&mut buffer).await.is_ok() {
            counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
    });
    for (address, zone) in [
        (PARENT[0], "walk.test"),
        (PARENT[1], "walk.test"),
        (LAME_GOOD, "lame.walk.test"),
        (GOOD[1], "good.walk.test"),
        (LAME_REFUSING, "other.test"),
    ] {
        if !wait_ready(address, port, zone).await {
            let logs: Vec<String> = servers
                .iter()
                .map(|s| std::fs::read_to_string(&s.log).unwrap_or_default())
                .collect();
            panic!(
                "NSD on {address}:{port} does not answer:\n{}",
                logs.join("\n")
            );
        }
    }
    let _unbound = start_unbound(&unbound, dir.path(), port, &[bogus_key, good_key]);
    assert!(
        wait_ready(UNBOUND, port, "walk.test").await,
        "unbound on {UNBOUND}:{port} does not answer: {}",
        std::fs::read_to_string(dir.path().join("unbound/unbound.log")).unwrap_or_default()
    );

    let scan = |allow: &str| {
        args(&[
            "scan",
            "--no-progress",
            "--no-idle-probe",
            "-f",
            "json",
            "--allow-private",
            allow,
            "--dns-timeout",
            "2",
            "--dns-attempts",
            "1",
            "--resolver",
            &format!("{UNBOUND}:{port}"),
            "--dns-port",
            &port.to_string(),
        ])
    };
    let mut command = scan("127.0.0.0/8");
    command.extend(args(&[
        "www.down.walk.test",
        "www.lame.walk.test",
        "www.bogus.walk.test",
        "www.good.walk.test",
        "loop-a.walk.test",
    ]));
    let output = originscan(&command).await;
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let report: Report = serde_json::from_slice(&output.stdout).expect("json");

    // All servers down: the resolver's failure, and the walk names both servers.
    let down = dns_codes(&report, "www.down.walk.test");
    assert!(
        down.contains(&"DNS_TIMEOUT".to_string()) || down.contains(&"DNS_SERVFAIL".to_string()),
        "{down:?}"
    );
    assert!(
        down.contains(&"DNS_NS_ALL_UNRESPONSIVE".to_string()),
        "{down:?}"
    );
    let all_down = finding(&report, "www.down.walk.test", "DNS_NS_ALL_UNRESPONSIVE");
    for server in [
        format!("ns1.down.walk.test ({DOWN_CLOSED})"),
        format!("ns2.down.walk.test ({DOWN_SILENT})"),
    ] {
        assert!(all_down.summary.contains(&server), "{}", all_down.summary);
    }
    let walk = &all_down.evidence["delegation_walk"];
    assert_eq!(walk["parent_zone"], "walk.test", "{walk}");
    assert!(
        walk["parent_servers_asked"][0]
            .as_str()
            .is_some_and(|s| s.contains("referral to down.walk.test")),
        "{walk}"
    );
    assert_eq!(
        walk["glue"],
        serde_json::json!([
            format!("ns1.down.walk.test ({DOWN_CLOSED})"),
            format!("ns2.down.walk.test ({DOWN_SILENT})")
        ])
    );

    // One lame server: named, with what it answered.
    let lame = finding(&report, "www.lame.walk.test", "DNS_NS_LAME");
    assert!(
        lame.summary
            .contains(&format!("ns2.lame.walk.test ({LAME_REFUSING}): REFUSED")),
        "{}",
        lame.summary
    );
    assert!(!lame.summary.contains(LAME_GOOD), "{}", lame.summary);

    // Expired signatures: SERVFAIL, but the CD bit resolves it; unbound's extended error.
    assert_eq!(
        dns_codes(&report, "www.bogus.walk.test"),
        vec!["DNS_DNSSEC_BOGUS"]
    );
    let bogus = finding(&report, "www.bogus.walk.test", "DNS_DNSSEC_BOGUS");
    assert_eq!(bogus.evidence["resolver"], format!("{UNBOUND}:{port}"));
    assert_eq!(
        bogus.evidence["checking_disabled_answer"]["addresses"],
        serde_json::json!([WWW])
    );
    let errors = bogus.evidence["extended_errors"]
        .as_array()
        .expect("extended errors");
    assert!(!errors.is_empty(), "unbound sends EDE with ede: yes");
    assert!(bogus.summary.contains("SERVFAIL"), "{}", bogus.summary);

    // A CNAME loop through a real resolver is a loop, not "no address".
    assert_eq!(
        dns_codes(&report, "loop-a.walk.test"),
        vec!["DNS_CNAME_LOOP"]
    );
    let looped = finding(&report, "loop-a.walk.test", "DNS_CNAME_LOOP");
    assert_eq!(
        looped.evidence["cname_loop"],
        serde_json::json!(["loop-a.walk.test", "loop-b.walk.test", "loop-a.walk.test"])
    );

    // A healthy signed zone: no DNS finding at all.
    assert_eq!(
        dns_codes(&report, "www.good.walk.test"),
        Vec::<String>::new()
    );
    // The scope holds for the walk: with only 127.61.0.0/16 allowed, the parent's second
    // server and the silent child server (both in 127.62/16) are not asked.
    assert!(silent_received.load(std::sync::atomic::Ordering::SeqCst) > 0);
    let mut command = scan("127.61.0.0/16");
    command.push("www.down.walk.test".into());
    let output = originscan(&command).await;
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let report: Report = serde_json::from_slice(&output.stdout).expect("json");
    let partly = finding(&report, "www.down.walk.test", "DNS_NS_UNRESPONSIVE");
    assert!(
        partly
            .summary
            .contains(&format!("ns1.down.walk.test ({DOWN_CLOSED})")),
        "{}",
        partly.summary
    );
    assert!(!partly.summary.contains(DOWN_SILENT), "{}", partly.summary);
    assert!(
        !dns_codes(&report, "www.down.walk.test").contains(&"DNS_NS_ALL_UNRESPONSIVE".into()),
        "a server not asked is not judged"
    );
    // (unbound asks it too, so its socket cannot tell; the evidence says it was not asked.)
    let silent_row = partly.evidence["servers"]
        .as_array()
        .and_then(|servers| servers.iter().find(|s| s["address"] == DOWN_SILENT))
        .expect("the silent server is listed");
    assert_eq!(
        silent_row["soa"], "outside the scan's address scope (not asked)",
        "{silent_row}"
    );
    let parents = partly.evidence["delegation_walk"]["parent_servers_asked"].to_string();
    assert!(!parents.contains(PARENT[1]), "{parents}");
    reader.abort();
    drop(servers);
}
