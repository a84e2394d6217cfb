//! Output that cannot be hijacked (issue 17 item 2): CSV cells a spreadsheet would read as a
//! formula are neutralised (unless `--csv-raw`), and control bytes from an input file reach the
//! terminal as text, never as escape sequences.

use crate::common;

use common::{args, originscan, stderr};

#[tokio::test]
async fn csv_cells_from_the_input_cannot_become_formulas() {
    let dir = tempfile::tempdir().unwrap();
    // A port nothing listens on: the origin is refused at once, on loopback only.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let input = dir.path().join("hostile.csv");
    std::fs::write(
        &input,
        format!(
            "origin,port,distribution_id,origin_id\nhostile.example.test,{port},@SUM(1),\"=HYPERLINK(\"\"http://x\"\")\"\n"
        ),
    )
    .unwrap();
    let scan = |extra: &[&str]| {
        let mut command = args(&[
            "scan",
            "--no-progress",
            "--no-idle-probe",
            "--allow-private",
            "127.0.0.0/8",
            "--resolver",
            "127.0.0.1:9",
            "--resolve",
            "hostile.example.test:127.0.0.1",
            "-f",
            "csv",
            "-i",
        ]);
        command.push(input.display().to_string());
        command.extend(args(extra));
        command
    };
    let out = originscan(&scan(&[])).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let mut reader = csv::Reader::from_reader(out.stdout.as_slice());
    let row = reader.records().next().expect("a row").expect("valid CSV");
    assert_eq!(&row[8], "'@SUM(1)");
    assert_eq!(&row[9], "'=HYPERLINK(\"http://x\")");

    let out = originscan(&scan(&["--csv-raw"])).await;
    let mut reader = csv::Reader::from_reader(out.stdout.as_slice());
    let row = reader.records().next().expect("a row").expect("valid CSV");
    assert_eq!(&row[8], "@SUM(1)");
}

#[tokio::test]
async fn control_bytes_in_an_input_error_are_shown_not_sent() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("t.txt");
    std::fs::write(&input, b"bad\x1b]0;owned\x07\x1b[2Jhost\n").unwrap();
    let mut command = args(&["scan", "--no-progress", "-i"]);
    command.push(input.display().to_string());
    let out = originscan(&command).await;
    assert_eq!(out.status.code(), Some(2));
    let text = stderr(&out);
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{7}'),
        "{text:?}"
    );
    assert!(text.contains("t.txt:1: "), "{text}");
}
