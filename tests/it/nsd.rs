//! The zone checks against a real DNS server nobody here wrote: NSD (Debian package `nsd`) on
//! loopback, three instances on one port:
//!
//! - A on 127.57.0.1 and 127.57.1.1: `good.nsd.test` (both its servers, two /24s) and
//!   `lame.nsd.test` (its first server);
//! - B on 127.57.2.1: `mixed.nsd.test`, serial 1, `www` at 127.57.9.9; it is `lame.nsd.test`'s
//!   second server but not configured for it, so NSD answers REFUSED;
//! - C on 127.57.3.1: `mixed.nsd.test`, serial 2, `www` at 127.57.9.10.
//!
//! The recursive step (zone cut, NS sets, NS addresses, the origins' own A records) is served
//! by the lab's resolver (hickory) on 127.53.57.1, which delegates to the NSD addresses. The
//! scan must report DNS_NS_LAME for `lame`, DNS_NS_INCONSISTENT for `mixed`, and no DNS_NS_*
//! finding for `good`. Without `nsd`, the test fails under CI and is skipped elsewhere.

use crate::common;

use std::net::{IpAddr, Ipv4Addr};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{args, originscan, stderr};
use hickory_proto::op::{Message, MessageType, OpCode, Query};
use hickory_proto::rr::{Name, RecordType};
use originscan::lab::dns::{self, ZoneData};
use originscan::lab::fleet::DnsBehaviour;
use originscan::report::Report;

/// Block of the test's resolver address (127.53.57.1).
const BLOCK: u8 = 57;

pub(crate) fn ip(text: &str) -> IpAddr {
    text.parse().expect("address")
}

/// The NSD binary, if installed.
pub(crate) fn find_nsd() -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/sbin"), PathBuf::from("/usr/local/sbin")])
        .map(|dir| dir.join("nsd"))
        .find(|candidate| candidate.is_file())
}

/// A running NSD, killed (by its own pid) when dropped.
pub(crate) struct Nsd {
    child: Child,
    pub(crate) log: PathBuf,
}

impl Drop for Nsd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) struct Instance<'a> {
    pub(crate) name: &'a str,
    pub(crate) addresses: &'a [&'a str],
    /// (zone, file name, file content)
    pub(crate) zones: Vec<(&'a str, String, String)>,
}

fn zone_file(zone: &str, serial: u32, ns: &[(&str, &str)], www: &str) -> String {
    let mut text = format!(
        "$ORIGIN {zone}.\n$TTL 60\n@ IN SOA {first}.{zone}. hostmaster.{zone}. {serial} 3600 600 86400 60\n",
        first = ns[0].0
    );
    for (label, _) in ns {
        text.push_str(&format!("@ IN NS {label}.{zone}.\n"));
    }
    for (label, address) in ns {
        text.push_str(&format!("{label} IN A {address}\n"));
    }
    text.push_str(&format!("www IN A {www}\n"));
    text
}

pub(crate) fn start_nsd(binary: &Path, dir: &Path, port: u16, instance: &Instance) -> Nsd {
    let home = dir.join(instance.name);
    std::fs::create_dir_all(&home).expect("nsd dir");
    let mut conf = String::from("server:\n");
    for address in instance.addresses {
        conf.push_str(&format!("    ip-address: {address}@{port}\n"));
    }
    let h = home.display();
    conf.push_str(&format!(
        "    do-ip6: no\n    database: \"\"\n    pidfile: \"{h}/nsd.pid\"\n    username: \"\"\n    \
         chroot: \"\"\n    zonesdir: \"{h}\"\n    zonelistfile: \"{h}/zone.list\"\n    \
         xfrdfile: \"{h}/xfrd.state\"\n    xfrdir: \"{h}\"\n    logfile: \"{h}/nsd.log\"\n    \
         server-count: 1\n    verbosity: 1\nremote-control:\n    control-enable: no\n"
    ));
    for (zone, file, content) in &instance.zones {
        std::fs::write(home.join(file), content).expect("zone file");
        conf.push_str(&format!("zone:\n    name: {zone}\n    zonefile: {file}\n"));
    }
    let conf_path = home.join("nsd.conf");
    std::fs::write(&conf_path, conf).expect("nsd.conf");
    let child = Command::new(binary)
        .arg("-d")
        .arg("-c")
        .arg(&conf_path)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("nsd starts");
    Nsd {
        child,
        log: home.join("nsd.log"),
    }
}

/// Waits (at most 10 s) until `address` answers a SOA query for `zone`.
pub(crate) async fn wait_ready(address: &str, port: u16, zone: &str) -> bool {
    let mut message = Message::query();
    message.metadata.id = 4242;
    message.metadata.message_type = MessageType::Query;
    message.metadata.op_code = OpCode::Query;
    message.add_query(Query::query(
        Name::from_ascii(format!("{zone}.")).expect("name"),
        RecordType::SOA,
    ));
    let Ok(bytes) = message.to_vec() else {
        return false;
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if let Ok(socket) = tokio::net::UdpSocket::bind("127.0.0.1:0").await {
            if socket.send_to(&bytes, (ip(address), port)).await.is_ok() {
                let mut buffer = [0u8; 1500];
                if let Ok(Ok(_)) =
                    tokio::time::timeout(Duration::from_millis(200), socket.recv_from(&mut buffer))
                        .await
                {
                    return true;
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

/// A port free for UDP and TCP on every NSD address.
pub(crate) fn free_port(addresses: &[&str]) -> u16 {
    for _ in 0..50 {
        let Ok(probe) = std::net::UdpSocket::bind((ip(addresses[0]), 0)) else {
            continue;
        };
        let Ok(port) = probe.local_addr().map(|a| a.port()) else {
            continue;
        };
        drop(probe);
        let free = addresses.iter().all(|a| {
            std::net::UdpSocket::bind((ip(a), port)).is_ok()
                && std::net::TcpListener::bind((ip(a), port)).is_ok()
        });
        if free {
            return port;
        }
    }
    panic!("no free port for NSD");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nsd_zones_lame_inconsistent_and_healthy() {
    let Some(binary) = find_nsd() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install nsd (.ci/run)"
        );
        crate::common::skip("nsd is not installed (apt-get install nsd)");
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let all = ["127.57.0.1", "127.57.1.1", "127.57.2.1", "127.57.3.1"];
    let port = free_port(&all);

    let good_ns = [("ns1", "127.57.0.1"), ("ns2", "127.57.1.1")];
    let lame_ns = [("ns1", "127.57.0.1"), ("ns2", "127.57.2.1")];
    let mixed_ns = [("ns1", "127.57.2.1"), ("ns2", "127.57.3.1")];
    let instances = [
        Instance {
            name: "a",
            addresses: &all[0..2],
            zones: vec![
                (
                    "good.nsd.test",
                    "good.zone".into(),
                    zone_file("good.nsd.test", 1, &good_ns, "127.57.9.9"),
                ),
                (
                    "lame.nsd.test",
                    "lame.zone".into(),
                    zone_file("lame.nsd.test", 1, &lame_ns, "127.57.9.9"),
                ),
            ],
        },
        Instance {
            name: "b",
            addresses: &all[2..3],
            zones: vec![(
                "mixed.nsd.test",
                "mixed.zone".into(),
                zone_file("mixed.nsd.test", 1, &mixed_ns, "127.57.9.9"),
            )],
        },
        Instance {
            name: "c",
            addresses: &all[3..4],
            zones: vec![(
                "mixed.nsd.test",
                "mixed.zone".into(),
                zone_file("mixed.nsd.test", 2, &mixed_ns, "127.57.9.10"),
            )],
        },
    ];
    let servers: Vec<Nsd> = instances
        .iter()
        .map(|i| start_nsd(&binary, dir.path(), port, i))
        .collect();
    for (address, zone) in [
        ("127.57.0.1", "good.nsd.test"),
        ("127.57.1.1", "good.nsd.test"),
        ("127.57.2.1", "mixed.nsd.test"),
        ("127.57.3.1", "mixed.nsd.test"),
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

    // The recursive step: the lab's resolver knows the delegations and the origins' addresses.
    let mut data = ZoneData::new();
    for (zone, ns) in [
        ("good.nsd.test", &good_ns),
        ("lame.nsd.test", &lame_ns),
        ("mixed.nsd.test", &mixed_ns),
    ] {
        let servers: Vec<(String, IpAddr)> = ns
            .iter()
            .map(|(label, address)| (format!("{label}.{zone}"), ip(address)))
            .collect();
        data.add_zone(zone, 1, &servers).expect("zone");
        data.add_origin(
            &format!("www.{zone}"),
            DnsBehaviour::Address,
            &[IpAddr::V4(Ipv4Addr::new(127, 57, 9, 9))],
        )
        .expect("origin");
    }
    let resolver = dns::start(BLOCK, data, &[], dns::DnsOptions::default())
        .await
        .expect("resolver");

    let mut command = args(&[
        "scan",
        "--no-progress",
        "--no-idle-probe",
        "-f",
        "json",
        "--allow-private",
        "127.0.0.0/8",
        "--dns-timeout",
        "1",
        "--dns-attempts",
        "1",
        "--resolver",
        &resolver.resolver.to_string(),
        "--dns-port",
        &port.to_string(),
    ]);
    command.extend(args(&[
        "www.good.nsd.test",
        "www.lame.nsd.test",
        "www.mixed.nsd.test",
    ]));
    let output = originscan(&command).await;
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let report: Report = serde_json::from_slice(&output.stdout).expect("json");
    let ns_codes = |origin: &str| -> Vec<String> {
        let row = report
            .origins
            .iter()
            .find(|o| o.origin == origin)
            .unwrap_or_else(|| panic!("no row for {origin}"));
        let mut codes: Vec<String> = row
            .codes()
            .iter()
            .map(|c| c.to_string())
            .filter(|c| c.starts_with("DNS_NS_"))
            .collect();
        codes.sort();
        codes
    };
    let lame = report
        .origins
        .iter()
        .find(|o| o.origin == "www.lame.nsd.test")
        .and_then(|o| o.findings.iter().find(|f| f.code.as_str() == "DNS_NS_LAME"))
        .expect("DNS_NS_LAME on lame.nsd.test");
    assert!(
        lame.summary
            .contains("ns2.lame.nsd.test (127.57.2.1): REFUSED"),
        "{}",
        lame.summary
    );
    assert_eq!(ns_codes("www.good.nsd.test"), Vec::<String>::new());
    // A server refusing the zone does not answer for it, either.
    assert_eq!(
        ns_codes("www.lame.nsd.test"),
        vec!["DNS_NS_LAME", "DNS_NS_UNRESPONSIVE"]
    );
    assert_eq!(ns_codes("www.mixed.nsd.test"), vec!["DNS_NS_INCONSISTENT"]);
    let mixed = report
        .origins
        .iter()
        .find(|o| o.origin == "www.mixed.nsd.test")
        .and_then(|o| {
            o.findings
                .iter()
                .find(|f| f.code.as_str() == "DNS_NS_INCONSISTENT")
        })
        .expect("DNS_NS_INCONSISTENT");
    assert!(mixed.summary.contains("serial 2"), "{}", mixed.summary);
    assert!(mixed.summary.contains("127.57.9.10"), "{}", mixed.summary);
    drop(servers);
}
