//! Issue 17 item 3: memory is bounded by `--concurrency`, not by the input. The real binary
//! runs under `/usr/bin/time -v` and its "Maximum resident set size" is checked:
//!
//! - N targets, IP literals in 10.0.0.0/8 without `--allow-private`: every one is out of scope,
//!   so nothing is sent (each row says `"connected":false`). With `-f ndjson` the peak must stay
//!   under 300 MiB whatever N; with `-f csv` (ranked, every row kept packed until written)
//!   under 1 KiB per origin above a base, the 1 GB bound for 1,000,000 origins. N is 200,000 here
//!   (about 30 s in a debug build on 2 cores); the 1,000,000-target figures are measured on the
//!   release build by `scripts/bench-memory.sh` (BENCHMARKS.md, "Memory and input size").
//!   The code before this fix peaked at about 2 KB per origin, over 400 MiB at 200,000 with either
//!   format.
//! - `yes a.example | originscan scan -i -`: a thread writes the line until the scan stops
//!   reading (at most 10,000,100 lines, so the test cannot run forever); the scan must end with
//!   the stdin limit's error (exit 2, `-:10000001:`), under 300 MiB (5.5 GB before, cut at 15 s).
//!
//! Every wait is bounded (`WAIT`).

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::skip;

/// Targets scanned by the list tests.
const TARGETS: usize = 200_000;
/// The longest any run may take.
const WAIT: Duration = Duration::from_secs(240);
const MIB: u64 = 1024 * 1024;

/// Runs `originscan ARGS` under `/usr/bin/time -v` with `stdin`, feeding it from `feed` on a
/// thread; returns (exit code, stdout, stderr, peak RSS in bytes), or `None` when
/// `/usr/bin/time` is missing.
fn measured(
    args: &[&str],
    feed: Option<Box<dyn FnOnce(std::process::ChildStdin) + Send>>,
    dir: &Path,
) -> Option<(Option<i32>, String, String, u64)> {
    if !Path::new("/usr/bin/time").exists() {
        skip("/usr/bin/time is not installed (Debian package `time`)");
        return None;
    }
    let report = dir.join("time.txt");
    let out = dir.join("out.txt");
    let mut child = Command::new("/usr/bin/time")
        .arg("-v")
        .arg("-o")
        .arg(&report)
        .arg(env!("CARGO_BIN_EXE_originscan"))
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(if feed.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(std::fs::File::create(&out).expect("output file"))
        .stderr(Stdio::piped())
        .spawn()
        .expect("/usr/bin/time runs");
    let feeder = feed.map(|feed| {
        let stdin = child.stdin.take().expect("piped stdin");
        std::thread::spawn(move || feed(stdin))
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if started.elapsed() > WAIT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("originscan {args:?} ran past {WAIT:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    if let Some(feeder) = feeder {
        feeder.join().expect("the feeding thread ends");
    }
    let mut stderr = String::new();
    if let Some(mut pipe) = child.stderr.take() {
        let _ = std::io::Read::read_to_string(&mut pipe, &mut stderr);
    }
    let time = std::fs::read_to_string(&report).expect("/usr/bin/time's report");
    let kib: u64 = time
        .lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix("Maximum resident set size (kbytes): ")
        })
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("no peak RSS in {time}"));
    let stdout = std::fs::read_to_string(&out).expect("output");
    Some((status.code(), stdout, stderr, kib * 1024))
}

fn write_targets(path: &Path, n: usize) {
    let mut file = std::io::BufWriter::new(std::fs::File::create(path).expect("list"));
    for i in 0..n {
        writeln!(
            file,
            "10.{}.{}.{}",
            (i >> 16) & 255,
            (i >> 8) & 255,
            i & 255
        )
        .expect("write");
    }
    file.flush().expect("flush");
}

#[test]
fn a_long_list_streams_in_bounded_memory_and_sends_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let list = dir.path().join("targets.txt");
    write_targets(&list, TARGETS);
    let list = list.to_str().expect("utf-8 path");
    let scan = |format: &str| {
        measured(
            &[
                "scan",
                "-i",
                list,
                "-f",
                format,
                "--no-progress",
                "--resolver",
                "127.0.0.1:9",
            ],
            None,
            dir.path(),
        )
    };
    let Some((code, stdout, stderr, ndjson_peak)) = scan("ndjson") else {
        return;
    };
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(stdout.lines().count(), TARGETS);
    // Out of scope: nothing was sent to any of them.
    assert_eq!(stdout.matches("\"connected\":false").count(), TARGETS);
    assert!(
        ndjson_peak < 300 * MIB,
        "-f ndjson peaked at {} MiB for {TARGETS} targets",
        ndjson_peak / MIB
    );

    let Some((code, stdout, stderr, csv_peak)) = scan("csv") else {
        return;
    };
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(
        stdout.lines().count(),
        TARGETS + 1,
        "a header and a row each"
    );
    // 1 KiB per origin above the streamed run's peak: 1 GB for 1,000,000 origins.
    let bound = ndjson_peak + TARGETS as u64 * 1024;
    assert!(
        csv_peak < bound,
        "-f csv peaked at {} MiB for {TARGETS} targets (bound {} MiB)",
        csv_peak / MIB,
        bound / MIB
    );
    eprintln!(
        "{TARGETS} targets: -f ndjson {} MiB, -f csv {} MiB peak RSS",
        ndjson_peak / MIB,
        csv_peak / MIB
    );
}

#[test]
fn yes_on_stdin_stops_at_the_line_limit_in_bounded_memory() {
    let dir = tempfile::tempdir().expect("temp dir");
    let feed = Box::new(|stdin: std::process::ChildStdin| {
        let mut stdin = std::io::BufWriter::new(stdin);
        // Past the limit by a little; the write fails once the scan stops reading.
        for _ in 0..originscan::input::MAX_STREAM_LINES + 100 {
            if stdin.write_all(b"a.example\n").is_err() {
                return;
            }
        }
        let _ = stdin.flush();
    });
    let Some((code, _, stderr, peak)) = measured(
        &[
            "scan",
            "-i",
            "-",
            "-f",
            "ndjson",
            "--no-progress",
            "--resolver",
            "127.0.0.1:9",
        ],
        Some(feed),
        dir.path(),
    ) else {
        return;
    };
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "originscan: -:{}: stdin has more than {} lines",
            originscan::input::MAX_STREAM_LINES + 1,
            originscan::input::MAX_STREAM_LINES
        )),
        "{stderr}"
    );
    assert!(peak < 300 * MIB, "peaked at {} MiB", peak / MIB);
    eprintln!("yes a.example: {} MiB peak RSS", peak / MIB);
}
