#!/usr/bin/env python3
"""Peers side by side (BENCHMARKS.md): originscan, sslyze (PyPI), sslscan and testssl.sh (Debian)
and the `openssl s_client` loop of AWS's troubleshooting guide, on the same certificate-bearing
origins of one loopback lab, in one run. Prints seconds per origin for each tool, the ratio to
originscan, and how often each peer's certificate verdict (valid or not for CloudFront: expired,
not yet valid, self-signed, untrusted, incomplete, out of order, wrong name) agrees with
originscan's; then, for every disagreement, which side the lab's truth (truth.json) supports.

    scripts/bench-peers.sh [ORIGINS] [options]      installs the peers, then runs this script
    python3 scripts/bench-peers.py [ORIGINS] [--rtt MS] [--testssl-origins N] [--keep]

ORIGINS defaults to 200. ORIGINSCAN=/path/to/originscan uses that binary instead of building one.
Every tool connects to the lab's loopback addresses only (truth.json), with the origin's name as
SNI; none of them resolves the origin's name (testssl.sh runs with --ip and --nodns none, and
NXCONNECT=127.0.0.1:0 so its start-up probes of the local openssl do not look up "invalid.").
"""
import argparse, glob, json, os, re, shutil, subprocess, sys, tempfile, time
import xml.etree.ElementTree as ET

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CERT_PATHOLOGIES = {
    "healthy-rsa", "healthy-ecdsa", "healthy-wildcard", "expired", "not-yet-valid",
    "expires-in-3-days", "expires-in-20-days", "self-signed", "untrusted-root",
    "incomplete-chain", "chain-order", "name-mismatch",
}
# originscan finding code -> class of invalid certificate (CloudFront answers 502 for each).
CLASS_OF = {"CERT_EXPIRED": "expired", "CERT_NOT_YET_VALID": "not-yet-valid",
            "CERT_SELF_SIGNED": "self-signed", "CERT_UNTRUSTED_ROOT": "untrusted",
            "CERT_INCOMPLETE_CHAIN": "incomplete", "CERT_CHAIN_ORDER": "order",
            "CERT_NAME_MISMATCH": "name", "CERT_INVALID": "invalid"}
CLASSES = ["expired", "not-yet-valid", "self-signed", "untrusted", "incomplete", "order", "name"]
ALL = set(CLASSES)

parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
parser.add_argument("origins", nargs="?", type=int, default=200,
                    help="lab origins with certificates to scan (default 200)")
parser.add_argument("--rtt", type=int, default=None, metavar="MS",
                    help="pass --rtt MS to `originscan lab` (every lab reply delayed by MS ms)")
parser.add_argument("--testssl-origins", type=int, default=20, metavar="N",
                    help="testssl.sh takes ~20 s per origin: run it on the first N origins only "
                         "(default 20, every certificate kind included; 0 skips it)")
parser.add_argument("--sslscan-origins", type=int, default=None, metavar="N",
                    help="run sslscan on the first N origins only (default: all)")
parser.add_argument("--keep", action="store_true", help="keep the work directory (tool outputs)")
args = parser.parse_args()
WANT = args.origins
RUNS = 3  # originscan runs per variant (the median counts)

binary = os.environ.get("ORIGINSCAN")
if binary:
    binary = os.path.abspath(binary)
else:
    subprocess.run(["cargo", "build", "--release", "--quiet", "--bin", "originscan"], cwd=ROOT, check=True)
    binary = os.path.join(ROOT, "target/release/originscan")
testssl_bin = os.environ.get("TESTSSL") or shutil.which("testssl.sh") or shutil.which("testssl")
sslscan_bin = shutil.which("sslscan")


def version(cmd):
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        return (out.stdout + out.stderr)
    except (OSError, subprocess.TimeoutExpired):
        return ""


def first_match(text, needle):
    for line in re.sub(r"\x1b\[[0-9;]*m", "", text).splitlines():
        if needle in line:
            return " ".join(line.split())
    return "?"


def testssl_version():
    # Read, not run: `testssl --version` probes the local openssl and would look up "invalid.".
    try:
        text = open(testssl_bin, errors="replace").read()
    except OSError:
        return "?"
    match = re.search(r'^(?:declare -r )?VERSION="([^"]+)"', text, re.M)
    return match.group(1) if match else "?"


lab_cmd = [binary, "lab", "--count", str(WANT * 5), "--block", "6"]
if args.rtt is not None:
    if "--rtt" not in version([binary, "lab", "--help"]):
        sys.exit(f"{binary} lab has no --rtt option yet: cannot run at {args.rtt} ms")
    lab_cmd += ["--rtt", str(args.rtt)]
work = tempfile.mkdtemp(prefix="bench-peers-")
lab_dir = os.path.join(work, "lab")
lab_log = open(os.path.join(work, "lab.log"), "w")
lab = subprocess.Popen(lab_cmd + ["--dir", lab_dir], stdout=lab_log, stderr=subprocess.STDOUT)
try:
    for _ in range(1800):
        if os.path.exists(os.path.join(lab_dir, "scan-args.txt")) or lab.poll() is not None:
            break
        time.sleep(0.1)
    if lab.poll() is not None:
        sys.exit(f"the lab exited ({lab.returncode}); see {work}/lab.log")
    time.sleep(0.3)
    lab_args = open(os.path.join(lab_dir, "scan-args.txt")).read().split()
    truth = json.load(open(os.path.join(lab_dir, "truth.json")))
    chosen = [t for t in truth if t["pathology"] in CERT_PATHOLOGIES and t["addresses"]][:WANT]
    n = len(chosen)
    for t in chosen:
        address = t["addresses"][0]
        if not address.startswith("127."):
            sys.exit(f"lab origin {t['origin']} is at {address}, not on loopback: refusing")
    truth_by = {t["origin"]: t for t in chosen}
    ca = os.path.join(lab_dir, "ca.pem")
    csv_path = os.path.join(work, "subset.csv")
    with open(csv_path, "w") as f:
        f.write("origin,port\n")
        for t in chosen:
            f.write(f"{t['origin']},{t['port']}\n")

    py = sys.version.split()[0]
    print(f"machine: {os.cpu_count()} cores, {os.uname().sysname} {os.uname().release}; "
          f"lab RTT: {args.rtt if args.rtt is not None else 0} ms"
          f"{'' if args.rtt is not None else ' (no --rtt given)'}; "
          f"{n} lab origins with certificates ({len({t['pathology'] for t in chosen})} kinds), "
          f"from a lab of {WANT * 5}")
    print("versions: " + "; ".join([
        first_match(version([sys.executable, "-m", "pip", "show", "sslyze"]), "Version:").replace("Version:", "sslyze"),
        "sslscan " + first_match(version([sslscan_bin, "--version"]), ".") if sslscan_bin else "sslscan absent",
        f"testssl.sh {testssl_version()}" if testssl_bin else "testssl.sh absent",
        first_match(version(["openssl", "version"]), "OpenSSL"),
        f"python {py}",
    ]))

    results = []  # (row name, origins run, seconds, verdicts {origin: set of classes or None}, judged classes, command)

    # originscan: every check but the idle keep-alive probe, run two ways, each RUNS times (its
    # scan lasts a fraction of a second, where one hiccup of the shared cores weighs; the median
    # run counts). "addresses given": `--resolve NAME:ADDR` for every origin, the input every
    # peer gets (no DNS, no zone checks): the basis of the ratios. "resolving by DNS": the lab's
    # resolver and the zone checks of its authoritative servers too, as a real scan does.
    base = [binary, "scan", "-i", csv_path, *lab_args, "--resolver-rate", "10000", "--no-progress",
            "--no-idle-probe", "-f", "json"]
    given = [arg for t in chosen for arg in ("--resolve", f"{t['origin']}:{t['addresses'][0]}")]

    def run_originscan(cmd):
        timings, report = [], None
        for _ in range(RUNS):
            start = time.time()
            out = subprocess.run(cmd, capture_output=True, check=False)
            timings.append(time.time() - start)
            try:
                report = json.loads(out.stdout)
            except ValueError:
                sys.exit(f"originscan wrote no JSON report (exit {out.returncode}): {out.stderr.decode()[-2000:]}")
        verdicts = {o["origin"]: {CLASS_OF[f["code"]] for f in o["findings"] if f["code"] in CLASS_OF}
                    for o in report["origins"]}
        missing = [t["origin"] for t in chosen if t["origin"] not in verdicts]
        if missing:
            print(f"originscan did not report {len(missing)} origins, e.g. {missing[0]}")
        return sorted(timings)[len(timings) // 2], timings, verdicts

    ours_s, ours_runs, ours = run_originscan(base + given)
    results.append(("originscan", n, ours_s, ours, ALL,
                    f"originscan scan -i subset.csv <lab args> --resolve NAME:ADDR (x{n}) --no-idle-probe -f json, "
                    f"median of {RUNS} runs: " + ", ".join(f"{t:.3f}" for t in ours_runs) + " s"))
    dns_s, dns_runs, dns_verdicts = run_originscan(base)
    results.append(("originscan, resolving by DNS", n, dns_s, dns_verdicts, ALL,
                    "originscan scan -i subset.csv <lab args> --no-idle-probe -f json (the lab's resolver, and "
                    f"the zone checks), median of {RUNS} runs: " + ", ".join(f"{t:.3f}" for t in dns_runs) + " s"))

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
    sslyze, sslyze_validation_only = {}, {}
    try:
        for result in json.load(open(sslyze_json)).get("server_scan_results", []):
            name = result["server_location"]["hostname"]
            cert = ((result.get("scan_result") or {}).get("certificate_info") or {}).get("result")
            if not cert:
                sslyze[name] = sslyze_validation_only[name] = None  # no result: not a verdict
                continue
            flags, validation = set(), set()
            for deployment in cert.get("certificate_deployments", [])[:1]:
                # sslyze 6 checks the name during path validation; the lab CA is "Supplied CA file".
                trusted = any(r.get("was_validation_successful") and "Supplied" in r["trust_store"]["name"]
                              for r in deployment.get("path_validation_results", []))
                if not trusted:
                    validation.add("invalid")
                if deployment.get("leaf_certificate_subject_matches_hostname") is False:
                    validation.add("name")
                flags |= validation
                # sslyze also reports the order of the chain as sent, apart from its validation.
                if deployment.get("received_chain_has_valid_order") is False:
                    flags.add("order")
            sslyze[name], sslyze_validation_only[name] = flags, validation
    except (OSError, ValueError) as error:
        print(f"sslyze output unreadable: {error}")
    results.append(("sslyze --certinfo", n, sslyze_s, sslyze, ALL,
                    "python3 -m sslyze --certinfo --certinfo_ca_file ca.pem --targets_in 'NAME:PORT{ADDR}' lines"))

    # sslscan: it has no CA option and does not verify the chain or the name; it flags an expired
    # and a self-signed leaf only (<expired>, <self-signed> in its XML).
    sslscan_judges = {"expired", "self-signed"}
    testssl_validation_only = {}
    if sslscan_bin:
        subset = chosen[:args.sslscan_origins] if args.sslscan_origins else chosen
        sslscan = {}
        start = time.time()
        for t in subset:
            proc = subprocess.run([sslscan_bin, "--no-colour", f"--sni-name={t['origin']}", "--no-ciphersuites",
                                   "--no-compression", "--no-fallback", "--no-groups", "--no-heartbleed",
                                   "--no-renegotiation", "--timeout=5", "--xml=-",
                                   f"{t['addresses'][0]}:{t['port']}"], capture_output=True)
            verdict = None
            try:
                short = ET.fromstring(proc.stdout).find(".//certificate[@type='short']")
                if short is not None:
                    verdict = set()
                    if (short.findtext("expired") or "").strip() == "true":
                        verdict.add("expired")
                    if (short.findtext("self-signed") or "").strip() == "true":
                        verdict.add("self-signed")
            except ET.ParseError:
                pass
            sslscan[t["origin"]] = verdict
        results.append(("sslscan (loop)", len(subset), time.time() - start, sslscan, sslscan_judges,
                        "sslscan --sni-name=NAME --no-ciphersuites --no-compression --no-fallback --no-groups "
                        "--no-heartbleed --no-renegotiation --xml=- ADDR:PORT, one origin after another"))

    # testssl.sh: server defaults only (-S, which holds the certificate checks), mass mode in
    # parallel, trusting the lab CA; --ip per origin and --nodns none, so it resolves nothing.
    if testssl_bin and args.testssl_origins > 0:
        subset = chosen[:args.testssl_origins]
        mass = os.path.join(work, "testssl-targets.txt")
        with open(mass, "w") as f:
            for t in subset:
                f.write(f"--ip={t['addresses'][0]} {t['origin']}:{t['port']}\n")
        json_dir = os.path.join(work, "testssl-json")
        os.makedirs(json_dir)
        env = dict(os.environ, NXCONNECT="127.0.0.1:0")
        start = time.time()
        subprocess.run([testssl_bin, "--quiet", "--warnings", "off", "--color", "0", "--fast", "-S",
                        "--nodns", "none", "--add-ca", ca, "--connect-timeout", "5", "--openssl-timeout", "5",
                        "--jsonfile", json_dir, "--parallel", "--file", mass],
                       cwd=work, env=env, stdout=open(os.path.join(work, "testssl.out"), "w"),
                       stderr=subprocess.STDOUT, check=False)
        testssl_s = time.time() - start
        testssl = {t["origin"]: None for t in subset}
        for path in glob.glob(os.path.join(json_dir, "*.json")):
            try:
                findings = json.load(open(path))
            except ValueError:
                continue
            by_id = {}
            for x in findings:
                by_id.setdefault(x["id"].split(" <")[0], x)  # first certificate only
            name = (findings[0]["ip"].split("/")[0]) if findings else None
            if name not in testssl or "cert_chain_of_trust" not in by_id:
                continue
            flags = set()
            chain = by_id["cert_chain_of_trust"]["finding"]
            if not chain.startswith("passed"):
                # "failed (expired).", "(not yet valid)", "(self signed)", "(chain incomplete)", ...
                flags.add({"expired": "expired", "not yet valid": "not-yet-valid", "self signed": "self-signed",
                           "chain incomplete": "incomplete"}.get(chain.partition("(")[2].partition(")")[0], "invalid"))
            if by_id.get("cert_expirationStatus", {}).get("finding") == "expired":
                flags.add("expired")
            if "does not match" in by_id.get("cert_trust", {}).get("finding", ""):
                flags.add("name")
            testssl_validation_only[name] = set(flags)
            if by_id.get("certs_list_ordering_problem", {}).get("finding") == "yes":
                flags.add("order")
            testssl[name] = flags
        results.append((f"testssl.sh -S (first {len(subset)})", len(subset), testssl_s, testssl, ALL,
                        "NXCONNECT=127.0.0.1:0 testssl --quiet --warnings off --fast -S --nodns none --add-ca ca.pem "
                        "--jsonfile DIR --parallel --file <'--ip=ADDR NAME:PORT' lines>"))

    # openssl s_client per origin, as AWS's 502 guide does
    start = time.time()
    sclient = {}
    for t in chosen:
        proc = subprocess.run(["timeout", "5", "openssl", "s_client", "-connect", f"{t['addresses'][0]}:{t['port']}",
                               "-servername", t["origin"], "-verify_hostname", t["origin"], "-CAfile", ca,
                               "-verify_return_error", "-brief"], input=b"", capture_output=True)
        sclient[t["origin"]] = set() if proc.returncode == 0 else {"invalid"}
    results.append(("openssl s_client loop", n, time.time() - start, sclient, ALL,
                    "openssl s_client -connect ADDR:PORT -servername NAME -verify_hostname NAME -CAfile ca.pem "
                    "-verify_return_error -brief, one origin after another"))

    def valid(classes, judged):
        """Valid for CloudFront as far as the judged classes go ("invalid" = some class, unnamed)."""
        return not (classes & judged) and not ("invalid" in classes and judged == ALL)

    def lab_valid(origin):
        return not {CLASS_OF[c] for c in truth_by[origin]["expected"] if c in CLASS_OF}

    def agree(verdicts, judged):
        both = [o for o, v in verdicts.items() if v is not None and ours.get(o) is not None]
        return sum(valid(ours[o], judged) == valid(verdicts[o], judged) for o in both), len(both)

    per_origin = ours_s / n
    dns_per_origin = dns_s / n
    print()
    print(f"{'tool':<30}{'origins':>8}{'s/origin':>10}{'x originscan':>14}{'x with DNS':>12}"
          f"{'verdicts agreeing':>19}  judges")
    for name, count, seconds, verdicts, judged, _ in results:
        s = seconds / count if count else float("nan")
        if name.startswith("originscan"):
            agreeing = "-"
        else:
            a, b = agree(verdicts, judged)
            agreeing = f"{a}/{b}"
            no_result = sum(1 for v in verdicts.values() if v is None)
            if no_result:
                agreeing += f" ({no_result} no result)"
        judges = "all" if judged == ALL else (", ".join(c for c in CLASSES if c in judged) + " only; cannot judge "
                                               + ", ".join(c for c in CLASSES if c not in judged))
        print(f"{name:<30}{count:>8}{s:>10.4f}{s / per_origin:>14.1f}{s / dns_per_origin:>12.1f}"
              f"{agreeing:>19}  {judges}")
    print("\nx originscan = the tool's seconds per origin / originscan's, given the addresses as every "
          f"peer is (on all {n} origins); x with DNS = the same over originscan resolving each origin "
          "through the lab's DNS and checking its zone's servers; verdicts are compared only on the "
          "classes the tool judges.")
    if {o: valid(v, ALL) for o, v in dns_verdicts.items()} != {o: valid(v, ALL) for o, v in ours.items()}:
        print("originscan's verdicts differ between the two ways of running it")
    for label, verdicts in (("sslyze", sslyze_validation_only),
                            ("testssl.sh", testssl_validation_only)):
        if verdicts:
            a, b = agree(verdicts, ALL)
            print(f"{label} without its chain-order report (path validation and name only): {a}/{b} agreeing")

    print("\ncommands:")
    for name, _, _, _, _, command in results:
        print(f"  {name}: {command}")

    print("\ndisagreements (lab truth = the pathology's expected findings in truth.json):")
    any_disagreement = False
    for name, _, _, verdicts, judged, _ in results[2:]:
        groups = {}
        for o, v in verdicts.items():
            if v is None or o not in ours or valid(ours[o], judged) == valid(v, judged):
                continue
            truth_says = valid({CLASS_OF[c] for c in truth_by[o]["expected"] if c in CLASS_OF}, judged)
            right = "originscan" if valid(ours[o], judged) == truth_says else name
            key = (truth_by[o]["pathology"], valid(ours[o], judged), right)
            groups.setdefault(key, []).append(o)
        for (pathology, ours_ok, right), origins in sorted(groups.items()):
            any_disagreement = True
            print(f"  {name}: {len(origins)} '{pathology}' origins: originscan says "
                  f"{'valid' if ours_ok else 'invalid'}, {name} {'invalid' if ours_ok else 'valid'}; "
                  f"the lab's truth sides with {right} (e.g. {origins[0]})")
    wrong = [o for o in ours if o in truth_by and valid(ours[o], ALL) != lab_valid(o)]
    if wrong:
        print(f"  originscan's verdict differs from the lab's truth on {len(wrong)} origins, e.g. {wrong[0]}")
    if not any_disagreement:
        print("  none")
    if args.keep:
        print(f"\ntool outputs kept in {work}")
finally:
    lab.terminate()
    lab.wait()
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
