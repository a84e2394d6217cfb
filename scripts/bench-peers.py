#!/usr/bin/env python3
"""Peers side by side (BENCHMARKS.md): originscan, sslyze (PyPI) and the `openssl s_client` loop
of AWS's troubleshooting guide, on the same 200 certificate-bearing origins of one loopback lab,
in one run. Prints seconds per origin for each tool, the ratio to originscan, and how often each
peer's certificate verdict (valid or not for CloudFront: expired, not yet valid, self-signed,
untrusted, incomplete, out of order, wrong name) agrees with originscan's.

    python3 -m pip install sslyze      # once
    python3 scripts/bench-peers.py [ORIGINS]     (default 200)
"""
import json, os, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WANT = int(sys.argv[1]) if len(sys.argv) > 1 else 200
CERT_PATHOLOGIES = {
    "healthy-rsa", "healthy-ecdsa", "healthy-wildcard", "expired", "not-yet-valid",
    "expires-in-3-days", "expires-in-20-days", "self-signed", "untrusted-root",
    "incomplete-chain", "chain-order", "name-mismatch",
}
INVALID = {"CERT_EXPIRED", "CERT_NOT_YET_VALID", "CERT_SELF_SIGNED", "CERT_UNTRUSTED_ROOT",
           "CERT_INCOMPLETE_CHAIN", "CERT_CHAIN_ORDER", "CERT_NAME_MISMATCH", "CERT_INVALID"}

subprocess.run(["cargo", "build", "--release", "--quiet", "--bin", "originscan"], cwd=ROOT, check=True)
binary = os.path.join(ROOT, "target/release/originscan")
work = tempfile.mkdtemp()
lab_dir = os.path.join(work, "lab")
lab = subprocess.Popen([binary, "lab", "--count", str(WANT * 5), "--block", "6", "--dir", lab_dir],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
try:
    for _ in range(600):
        if os.path.exists(os.path.join(lab_dir, "scan-args.txt")):
            break
        time.sleep(0.1)
    time.sleep(0.3)
    lab_args = open(os.path.join(lab_dir, "scan-args.txt")).read().split()
    truth = json.load(open(os.path.join(lab_dir, "truth.json")))
    chosen = [t for t in truth if t["pathology"] in CERT_PATHOLOGIES and t["addresses"]][:WANT]
    n = len(chosen)
    csv_path = os.path.join(work, "subset.csv")
    with open(csv_path, "w") as f:
        f.write("origin,port\n")
        for t in chosen:
            f.write(f"{t['origin']},{t['port']}\n")
    ca = os.path.join(lab_dir, "ca.pem")
    print(f"machine: {os.cpu_count()} cores; {n} lab origins with certificates "
          f"({len({t['pathology'] for t in chosen})} kinds)")

    # originscan
    start = time.time()
    out = subprocess.run([binary, "scan", "-i", csv_path, *lab_args, "--resolver-rate", "10000", "--no-progress", "--no-idle-probe",
                          "-f", "json"], capture_output=True, check=False)
    ours_s = time.time() - start
    report = json.loads(out.stdout)
    ours = {o["origin"]: not (set(f["code"] for f in o["findings"]) & INVALID) for o in report["origins"]}

    # sslyze: certificate info scan, trusting the lab CA
    targets_in = os.path.join(work, "sslyze.txt")
    with open(targets_in, "w") as f:
        for t in chosen:
            f.write(f"{t['origin']}:{t['port']}{{{t['addresses'][0]}}}\n")
    sslyze_json = os.path.join(work, "sslyze.json")
    start = time.time()
    subprocess.run([sys.executable, "-m", "sslyze", "--certinfo", "--certinfo_ca_file", ca, "--quiet",
                    "--json_out", sslyze_json, "--targets_in", targets_in], capture_output=True, check=False)
    sslyze_s = time.time() - start
    sslyze = {}
    try:
        for result in json.load(open(sslyze_json)).get("server_scan_results", []):
            name = result["server_location"]["hostname"]
            cert = ((result.get("scan_result") or {}).get("certificate_info") or {}).get("result")
            if not cert:
                sslyze[name] = False
                continue
            ok = False
            for deployment in cert.get("certificate_deployments", []):
                # sslyze 6 checks the name during path validation; the lab CA is "Supplied CA file".
                trusted = any(r.get("was_validation_successful") and "Supplied" in r["trust_store"]["name"]
                              for r in deployment.get("path_validation_results", []))
                ok = trusted and bool(deployment.get("leaf_certificate_subject_matches_hostname", True))
            sslyze[name] = ok
    except (OSError, ValueError) as error:
        print(f"sslyze output unreadable: {error}")

    # openssl s_client per origin, as AWS's 502 guide does
    start = time.time()
    sclient = {}
    for t in chosen:
        proc = subprocess.run(["timeout", "5", "openssl", "s_client", "-connect", f"{t['addresses'][0]}:{t['port']}",
                               "-servername", t["origin"], "-verify_hostname", t["origin"], "-CAfile", ca,
                               "-verify_return_error", "-brief"], input=b"", capture_output=True)
        sclient[t["origin"]] = proc.returncode == 0
    sclient_s = time.time() - start

    def agree(verdicts):
        both = [o for o in ours if o in verdicts]
        return sum(ours[o] == verdicts[o] for o in both), len(both)

    print(f"{'tool':<22}{'s/origin':>10}{'x originscan':>14}{'verdicts agreeing':>20}")
    print(f"{'originscan':<22}{ours_s / n:>10.4f}{1.0:>14.1f}{'-':>20}")
    for name, seconds, verdicts in (("sslyze --certinfo", sslyze_s, sslyze), ("openssl s_client loop", sclient_s, sclient)):
        a, b = agree(verdicts)
        print(f"{name:<22}{seconds / n:>10.4f}{seconds / ours_s:>14.1f}{f'{a}/{b}':>20}")
    disagreements = {}
    for name, verdicts in (("sslyze", sslyze), ("s_client", sclient)):
        for t in chosen:
            o = t["origin"]
            if o in verdicts and verdicts[o] != ours.get(o):
                disagreements.setdefault((name, t["pathology"]), 0)
                disagreements[(name, t["pathology"])] += 1
    for (name, pathology), count in sorted(disagreements.items()):
        print(f"  {name} disagrees on {count} '{pathology}' origins")
finally:
    lab.terminate()
    lab.wait()
