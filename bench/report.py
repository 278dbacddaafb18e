#!/usr/bin/env python3
"""Turns one bench/run.sh run into bench/results.json and a Markdown table on stdout.

run.sh passes everything through the environment (see its last lines); the wrk figures come
from the BENCH lines posts.lua prints, homeport's internals from its /metrics page.
"""
import datetime
import json
import os
import platform
import re
import subprocess

env = os.environ
work = env["WORK"]


def sh(*cmd):
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=10)
        return (r.stdout + r.stderr).strip()
    except (OSError, subprocess.SubprocessError):
        return None


def bench_line(name):
    with open(os.path.join(work, name + ".bench")) as f:
        fields = dict(kv.split("=", 1) for kv in f.read().split())
    out = {}
    for k, v in fields.items():
        if v in ("true", "false"):
            out[k] = v == "true"
        elif k.endswith("_cores"):
            out[k] = float(v)
        else:
            out[k] = int(v)
    out["duration_s"] = out.pop("duration_us") / 1e6
    out["rps"] = round(out["requests"] / out["duration_s"], 1)
    return out


def metrics(name="metrics.txt"):
    """Sums and counts of homeport's commit histograms, its activation, ping and scrub counters."""
    path = os.path.join(work, name)
    if not os.path.exists(path):
        return {}
    values = {}
    with open(path) as f:
        for line in f:
            m = re.match(r"^(homeport_[a-z_]+(?:\{[^}]*\})?) ([0-9.eE+-]+)$", line.strip())
            if m:
                values[m.group(1)] = float(m.group(2))
    out = {}
    n = values.get("homeport_commit_batch_size_count")
    if n:
        out["commits"] = int(n)
        out["mean_batch_size"] = round(values["homeport_commit_batch_size_sum"] / n, 1)
        out["mean_commit_ms"] = round(
            values["homeport_commit_latency_seconds_sum"] / n * 1000, 2)
    for k, v in values.items():
        if k.startswith(("homeport_http_requests_total", "homeport_activations_total",
                         "homeport_uxp_pings_total", "homeport_scrubbed_identifiers_total")):
            out[k] = int(v)
    return out


def meminfo_gib():
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    return None


def cpu_model():
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor()


def os_name():
    try:
        with open("/etc/os-release") as f:
            for line in f:
                if line.startswith("PRETTY_NAME="):
                    return line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    return None


def build_type():
    try:
        with open(os.path.join(env["BUILD"], "CMakeCache.txt")) as f:
            for line in f:
                if line.startswith("CMAKE_BUILD_TYPE:"):
                    return line.split("=", 1)[1].strip() or "(none)"
    except OSError:
        pass
    return None


def git_commit():
    rev = sh("git", "-C", env["ROOT"], "rev-parse", "--short", "HEAD")
    dirty = sh("git", "-C", env["ROOT"], "status", "--porcelain", "--untracked-files=no", "--", "src")
    return rev + (" (src/ modified)" if dirty else "") if rev else None


verify = float(env["VERIFY"])
jws_verify = float(env["JWS_VERIFY"])
nginx = bench_line("nginx")
homeport = bench_line("homeport")
committed = int(env["COMMITTED"])
activations_rps = committed / homeport["duration_s"]
homeport_2xx = homeport["requests"] - homeport["non2xx"]


def ping_run(name):
    run = bench_line(name)
    with open(os.path.join(work, name + ".stored")) as f:
        run["documents_stored"] = int(f.read())
    run["wrk_2xx"] = run["requests"] - run["non2xx"]
    run["stored_rps"] = round(run["documents_stored"] / run["duration_s"], 1)
    run["metrics"] = metrics(name + ".metrics.txt")
    return run


pings = ping_run("pings")
pings_scrub = ping_run("pings_scrub")

machine = {
    "cpu_model": cpu_model(),
    "cores": int(env["CORES"]),
    "memory_gib": meminfo_gib(),
    "kernel": platform.release(),
    "os": os_name(),
    "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    "load_average_before": env["LOAD_BEFORE"],
    "load_average_after": env["LOAD_AFTER"],
    "verify_thread_on_cpu": float(env["VERIFY_ON_CPU"]),
    "bench_nice": os.getpriority(os.PRIO_PROCESS, 0),  # also the session's autogroup's (run.sh)
    "build_type": build_type(),
    "git_commit": git_commit(),
    "software": {
        "wrk": (sh("wrk", "-v") or "").splitlines()[0] if sh("wrk", "-v") else None,
        "nginx": sh("nginx", "-v"),
        "libsodium": sh("pkg-config", "--modversion", "libsodium"),
        "sqlite3": sh("sqlite3", "--version"),
    },
}

figures = {
    "ed25519_verify_per_s": round(verify),
    "nginx_rps": round(nginx["rps"]),
    "activations_rps_sqlite": round(activations_rps),
    "activations_per_verify": round(activations_rps / verify, 3),
    "activations_per_nginx": round(activations_rps / nginx["rps"], 3),
    "jws_verify_per_s": round(jws_verify),
    "pings_rps_sqlite": round(pings["stored_rps"]),
    "pings_scrub_rps_sqlite": round(pings_scrub["stored_rps"]),
    "pings_per_nginx": round(pings["stored_rps"] / nginx["rps"], 3),
    "pings_scrub_per_nginx": round(pings_scrub["stored_rps"] / nginx["rps"], 3),
}

details = {
    "settings": {
        "wrk": f"-t{env['WRK_THREADS']} -c{env['WRK_CONNECTIONS']} -d{env['SECONDS_PER_RUN']}s",
        "verify_seconds": float(env["VERIFY_SECONDS"]),
        "devices_enrolled": int(env["DEVICES"]),
        "homeport": f"serve --region {env['REGION']} --store sqlite:DB --listen 127.0.0.1:0",
        "nginx": "bench/peers/nginx.conf.in: worker_processes 2, access_log off, return 204",
        "pings": f"serve ... --client-rate 1000000 --client-burst 1000000; bench/pings.py: "
                 f"{env['PINGS']} diagnostics and {env['FEEDBACK_PINGS']} feedback pings over "
                 f"{env['PING_CLIENTS']} client ids, unique doc_ids, plain JSON; bench/posts.lua",
    },
    "nginx": nginx,
    "homeport": dict(homeport, activations_committed=committed, wrk_2xx=homeport_2xx,
                     metrics=metrics()),
    "pings": pings,
    "pings_scrub": pings_scrub,
}

results = {"machine": machine, "figures": figures, "details": details}
with open(env["RESULTS"], "w") as f:
    json.dump(results, f, indent=2)
    f.write("\n")


def n(x):
    return f"{x:,.0f}"


goal_met = activations_rps / verify >= 0.70
non2xx = homeport["non2xx"]
hm = details["homeport"]["metrics"]
lines = [
    f"### homeport activation benchmark — {machine['date']}",
    "",
    f"{machine['cpu_model']}, {machine['cores']} cores, {machine['memory_gib']} GiB, "
    f"Linux {machine['kernel']}; build {machine['build_type']}; "
    f"load average {machine['load_average_before']} before, {machine['load_average_after']} after"
    f"{'' if machine['bench_nice'] == 0 else ', benchmark processes at nice ' + str(machine['bench_nice'])}. "
    f"wrk {details['settings']['wrk']}, same script and requests for both servers.",
    "",
    "| figure | value | how |",
    "|---|---:|---|",
    f"| `ed25519_verify_per_s` | {n(verify)} | libsodium verify, 1 core, {n(float(env['VERIFY_SECONDS']))} s, "
    f"~260-byte JWS signing inputs |",
    f"| `nginx_rps` | {n(nginx['rps'])} | nginx `return 204`, {n(nginx['requests'])} requests in "
    f"{nginx['duration_s']:.2f} s, p50 {nginx['p50_us'] / 1000:.2f} ms, p99 {nginx['p99_us'] / 1000:.2f} ms |",
    f"| `activations_rps_sqlite` | {n(activations_rps)} | {n(committed)} activations committed / "
    f"{homeport['duration_s']:.2f} s; p50 {homeport['p50_us'] / 1000:.2f} ms, "
    f"p99 {homeport['p99_us'] / 1000:.2f} ms; non-2xx {n(non2xx)} |",
    f"| activations / ed25519 verify | **{activations_rps / verify:.2f}** | goal ≥ 0.70: "
    f"{'met' if goal_met else 'NOT met'} |",
    f"| activations / nginx | **{activations_rps / nginx['rps']:.2f}** | share of the HTTP ceiling |",
    f"| `pings_rps_sqlite` | {n(pings['stored_rps'])} | {n(pings['documents_stored'])} diagnostics pings "
    f"stored / {pings['duration_s']:.2f} s; p50 {pings['p50_us'] / 1000:.2f} ms, "
    f"p99 {pings['p99_us'] / 1000:.2f} ms; non-2xx {n(pings['non2xx'])} |",
    f"| pings / nginx | **{pings['stored_rps'] / nginx['rps']:.2f}** | goal ≥ 0.50: "
    f"{'met' if pings['stored_rps'] / nginx['rps'] >= 0.5 else 'NOT met'} |",
    f"| `pings_scrub_rps_sqlite` | {n(pings_scrub['stored_rps'])} | {n(pings_scrub['documents_stored'])} "
    f"~2 KB feedback pings scrubbed and stored / {pings_scrub['duration_s']:.2f} s; "
    f"p50 {pings_scrub['p50_us'] / 1000:.2f} ms, p99 {pings_scrub['p99_us'] / 1000:.2f} ms; "
    f"non-2xx {n(pings_scrub['non2xx'])} |",
    f"| pings with scrubbing / nginx | **{pings_scrub['stored_rps'] / nginx['rps']:.2f}** | context |",
    f"| `jws_verify_per_s` (context) | {n(jws_verify)} | the server's whole signature check "
    f"(JWS header parse + base64 + verify), 1 core |",
]
if hm:
    lines.append(f"| homeport commits (context) | {n(hm['commits'])} | mean batch {hm['mean_batch_size']} "
                 f"activations, mean commit {hm['mean_commit_ms']} ms (SQLite WAL, synchronous=FULL) |")
cores = machine["cores"]
lines.append(f"| CPU during the runs (context) | | cores busy on average, of {cores}: nginx "
             f"{nginx['peer_cores']} + wrk {nginx['wrk_cores']} (machine {nginx['machine_busy_cores']}); "
             f"homeport {homeport['peer_cores']} + wrk {homeport['wrk_cores']} "
             f"(machine {homeport['machine_busy_cores']}); "
             f"diagnostics pings: homeport {pings['peer_cores']} + wrk {pings['wrk_cores']} "
             f"(machine {pings['machine_busy_cores']}); "
             f"feedback pings: homeport {pings_scrub['peer_cores']} + wrk {pings_scrub['wrk_cores']} "
             f"(machine {pings_scrub['machine_busy_cores']}) |")
for name, run in (("diagnostics pings", pings), ("feedback pings", pings_scrub)):
    m = run["metrics"]
    if m.get("commits"):
        lines.append(f"| homeport commits, {name} (context) | {n(m['commits'])} | mean batch "
                     f"{m['mean_batch_size']} documents, mean commit {m['mean_commit_ms']} ms |")
lines.append("")
if machine["verify_thread_on_cpu"] < 0.95:
    lines.append(f"**The verifying thread was on a CPU only {machine['verify_thread_on_cpu']:.0%} of the "
                 "time: other processes took turns, so the verify figure is low.**")
for name, run in (("nginx", nginx), ("homeport", homeport), ("pings", pings),
                  ("pings_scrub", pings_scrub)):
    other = run["machine_busy_cores"] - run["peer_cores"] - run["wrk_cores"]
    if other > 0.25:
        lines.append(f"**Other processes used {other:.2f} cores during the {name} run: the machine "
                     "was not quiet, so the figures may be low.**")
if non2xx:
    lines.append(f"**wrk saw {n(non2xx)} non-2xx responses from homeport** (see details in results.json).")
errors = sum(homeport[k] for k in ("connect_errors", "read_errors", "write_errors", "timeouts"))
if errors:
    lines.append(f"**wrk saw {n(errors)} socket errors/timeouts against homeport.**")
if committed > homeport_2xx:
    lines.append(f"{n(committed - homeport_2xx)} more activations were committed than wrk counted 2xx "
                 "answers: requests in flight when wrk stopped, committed before the server exited.")
elif committed < homeport_2xx:
    lines.append(f"**{n(homeport_2xx - committed)} requests were answered 2xx but are not in the store "
                 "(S5 broken?)**")
for name, run in (("diagnostics pings", pings), ("feedback pings", pings_scrub)):
    if run["non2xx"]:
        lines.append(f"**wrk saw {n(run['non2xx'])} non-2xx responses to the {name}.**")
    errs = sum(run[k] for k in ("connect_errors", "read_errors", "write_errors", "timeouts"))
    if errs:
        lines.append(f"**wrk saw {n(errs)} socket errors/timeouts during the {name}.**")
    if run["documents_stored"] > run["wrk_2xx"]:
        lines.append(f"{n(run['documents_stored'] - run['wrk_2xx'])} more {name} were stored than wrk "
                     "counted 2xx answers: requests in flight when wrk stopped.")
    elif run["documents_stored"] < run["wrk_2xx"]:
        lines.append(f"**{n(run['wrk_2xx'] - run['documents_stored'])} {name} were answered 2xx but "
                     "are not in the store (S5 broken?)**")
scrubbed = {k.split('"')[1]: v for k, v in pings_scrub["metrics"].items()
            if k.startswith("homeport_scrubbed_identifiers_total")}
if scrubbed:
    lines.append("Identifiers scrubbed during the feedback run: "
                 + ", ".join(f"{k} {n(v)}" for k, v in sorted(scrubbed.items())) + ".")
lines.append(f"Written to {os.path.relpath(env['RESULTS'], env['ROOT'])}.")
print("\n".join(lines))
