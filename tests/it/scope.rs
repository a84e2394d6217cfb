//! What a scan sends: a bounded number of connections per origin, counted at the lab's
//! listeners (README, "what originscan sends").

use crate::common;

use common::{args, originscan, stderr, LabRun};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_per_origin_stay_within_the_documented_bound() {
    let lab = LabRun::start(90).await;
    let mut command = args(&["scan", "--no-progress", "-f", "json", "-i"]);
    command.push(lab.path("targets.csv").display().to_string());
    command.extend(lab.lab_args());
    let output = originscan(&command).await;
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));

    let mut total = 0;
    let mut answering = 0;
    for target in &lab.lab.targets {
        let accepted = target.accepts.get();
        let ports = if target.http_port.is_some() && target.policy == Some("match-viewer") {
            2
        } else {
            1
        };
        // One connection per port, at most two CloudFront hellos, and (only for a certificate
        // that does not cover the name) two handshakes with other SNIs; lab targets have one
        // address and no aliases.
        let bound = ports + originscan::probe::MAX_HELLOS + originscan::probe::MAX_SNI_ALTERNATIVES;
        assert!(
            accepted <= bound,
            "{}: {accepted} connections (bound {bound})",
            target.origin
        );
        assert!(accepted <= originscan::probe::MAX_CONNECTIONS_PER_ORIGIN);
        if accepted > 0 {
            total += accepted;
            answering += 1;
        }
    }
    assert!(
        answering > 40,
        "only {answering} origins accepted connections"
    );
    eprintln!(
        "connections per answering origin: {:.2} ({total} over {answering})",
        total as f64 / answering as f64
    );
}
