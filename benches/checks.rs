//! Criterion benches for the hot pure parts: certificate-chain checks, CloudFront's ClientHello
//! (building it, and reading a real server's answer to it), and report writing.
//!
//!     cargo bench --bench checks

use std::sync::Arc;

use criterion::{criterion_group, criterion_main, Criterion};
use originscan::check::cert::check_chain;
use originscan::check::cert::trust::TrustStore;
use originscan::check::CheckContext;
use originscan::finding::{Code, Finding, GateLevel};
use originscan::lab::ca::{ChainShape, LabCa, LeafKey, LeafSpec};
use originscan::report::{Format, OriginReport, Report};
use originscan::target::Target;

fn certificate_checks(c: &mut Criterion) {
    let ca = LabCa::generate().expect("lab CA");
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let context = CheckContext {
        now: time::OffsetDateTime::now_utc().unix_timestamp(),
        expiry_warn_days: vec![7, 30],
        trust: TrustStore::new(provider, vec![ca.root_der()]).expect("roots"),
    };
    let spec = LeafSpec {
        names: vec!["origin.lab.test".into()],
        common_name: None,
        valid_from: time::Duration::days(-1),
        valid_until: time::Duration::days(365),
        key: LeafKey::Ecdsa,
        chain: ChainShape::Complete,
    };
    let healthy = ca.leaf(&spec).expect("leaf").chain;
    let wrong_order = ca
        .leaf(&LeafSpec {
            chain: ChainShape::WrongOrder,
            ..spec
        })
        .expect("leaf")
        .chain;
    c.bench_function("check_chain healthy", |b| {
        b.iter(|| check_chain(&healthy, "origin.lab.test", &context))
    });
    c.bench_function("check_chain wrong order", |b| {
        b.iter(|| check_chain(&wrong_order, "origin.lab.test", &context))
    });
}

fn report_writing(c: &mut Criterion) {
    let origins: Vec<OriginReport> = (0..1000)
        .map(|i| {
            let target = Target::parse_spec(&format!("o{i}.example.com")).expect("target");
            let findings = if i % 3 == 0 {
                vec![Finding::new(Code::CERT_EXPIRED, "expired").evidence("days_ago", 3)]
            } else {
                vec![]
            };
            OriginReport::new(&target, findings)
        })
        .collect();
    let report = Report::new(
        origins,
        originscan::report::options::ReportOptions::default(),
        std::time::Duration::ZERO,
        false,
        0,
    );
    for format in [Format::Json, Format::Csv, Format::Table] {
        c.bench_function(&format!("write 1000 origins as {format:?}"), |b| {
            b.iter(|| {
                let mut out = Vec::with_capacity(1 << 20);
                report
                    .write(format, &mut out, false, GateLevel::Never)
                    .expect("write");
                out
            })
        });
    }
}

fn hellos(c: &mut Criterion) {
    use originscan::cloudfront::hello::{client_hello_for, HelloOffer, RecordReader};
    use originscan::cloudfront::tls_profile::{Profile, TlsVersion};

    let offer = HelloOffer::cloudfront(Profile::Y2025, TlsVersion::Tls12);
    c.bench_function("build CloudFront's ClientHello", |b| {
        b.iter(|| client_hello_for(&offer, Some("origin.lab.test"), [7; 32]))
    });

    // A real server's first flight in answer to it: a rustls server, in memory.
    let ca = LabCa::generate().expect("lab CA");
    let served = ca
        .leaf(&LeafSpec::healthy(vec!["origin.lab.test".into()]))
        .expect("leaf");
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("versions")
    .with_no_client_auth()
    .with_single_cert(served.chain, served.key)
    .expect("server config");
    let mut server = rustls::ServerConnection::new(Arc::new(config)).expect("server");
    let hello = client_hello_for(&offer, Some("origin.lab.test"), [7; 32]);
    server.read_tls(&mut hello.as_slice()).expect("hello read");
    server.process_new_packets().expect("hello accepted");
    let mut flight = Vec::new();
    while server.wants_write() {
        server.write_tls(&mut flight).expect("flight");
    }
    let read = |flight: &[u8]| {
        let mut reader = RecordReader::new();
        reader.push(flight).expect("records");
        let mut messages = 0;
        while let Ok(Some(_)) = reader.next_message() {
            messages += 1;
        }
        messages
    };
    // ServerHello, Certificate, ServerKeyExchange, ServerHelloDone.
    assert_eq!(
        read(&flight),
        4,
        "a TLS 1.2 first flight of {} bytes",
        flight.len()
    );
    c.bench_function("read a server's answer to it", |b| b.iter(|| read(&flight)));
}

criterion_group!(benches, certificate_checks, hellos, report_writing);
criterion_main!(benches);
