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

# --- the verifier (bench/capture.sh): `report.py --capture` adds its keys to results.json ----
if "--capture" in __import__("sys").argv:
    with open(os.path.join(work, "capture.bench")) as f:
        capture = {k: float(v) for k, v in (kv.split("=", 1) for kv in f.read().split())}
    with open(env["RESULTS"]) as f:
        results = json.load(f)
    results["capture"] = {
        "capture_mb_per_s": capture["capture_mb_per_s"],
        "tshark_mb_per_s": capture["tshark_mb_per_s"],
        "read_mb_per_s": capture["read_mb_per_s"],
        "capture_rss_mb": capture["capture_rss_mb"],
        "capture_rss_mb_256m": capture["capture_rss_mb_256m"],
        "capture_file_mb": capture["capture_mb"],
        "vs_tshark": round(capture["capture_mb_per_s"] / capture["tshark_mb_per_s"], 1),
        "vs_read": round(capture["capture_mb_per_s"] / capture["read_mb_per_s"], 2),
    }
    with open(env["RESULTS"], "w") as f:
        json.dump(results, f, indent=2)
    c = results["capture"]
    print(f"| `capture_mb_per_s` | {c['capture_mb_per_s']:,.0f} | homeport audit capture, "
          f"{c['capture_file_mb']:,.0f} MB synthetic capture |")
    print(f"| `tshark_mb_per_s` | {c['tshark_mb_per_s']:,.0f} | tshark -T fields, same names |")
    print(f"| `read_mb_per_s` | {c['read_mb_per_s']:,.0f} | cat FILE > /dev/null |")
    print(f"| capture / tshark | **{c['vs_tshark']}** | goal >= 20: "
          f"{'met' if c['vs_tshark'] >= 20 else 'NOT met'} |")
    print(f"| capture / read | **{c['vs_read']}** | goal >= 0.3: "
          f"{'met' if c['vs_read'] >= 0.3 else 'NOT met'} |")
    print(f"| `capture_rss_mb` | {c['capture_rss_mb']:.0f} | max RSS at 1 GB "
          f"({c['capture_rss_mb_256m']:.0f} at 0.25 GB) |")
    raise SystemExit(0)


def sh(*cmd):
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=10)
        return (r.stdout + r.stderr).strip()
    except (OSError, subprocess.SubprocessError):
        return None


def number(v):
    if v in ("true", "false"):
        return v == "true"
    try:
        return int(v)
    except ValueError:
        return float(v)


def key_values(name, suffix=".bench"):
    """Every key=value of WORK/NAME.bench (wrk's BENCH line, homeport_bench's lines, CPU)."""
    with open(os.path.join(work, name + suffix)) as f:
        return {k: number(v) for k, v in (kv.split("=", 1) for kv in f.read().split())}


def stored(name):
    with open(os.path.join(work, name + ".stored")) as f:
        return int(f.read())


def bench_line(name):
    out = key_values(name)
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
        within_10ms = values.get('homeport_commit_latency_seconds_bucket{le="0.01"}')
        if within_10ms is not None:
            out["commits_over_10ms"] = int(n - within_10ms)
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



def n(x):
    return f"{x:,.0f}"


def ms(us):
    return f"{us / 1000:.2f} ms"


def met(ok):
    return "met" if ok else "NOT met"


def socket_errors(run):
    return sum(run.get(k, 0) for k in ("connect_errors", "read_errors", "write_errors", "timeouts"))


verify = float(env["VERIFY"])
jws_verify = float(env["JWS_VERIFY"])
nginx = bench_line("nginx")


def stored_run(name, what):
    """A wrk run against a storing server: the rate is what is stored after it / wrk's duration."""
    run = bench_line(name)
    run[what] = stored(name)
    run["wrk_2xx"] = run["requests"] - run["non2xx"]
    run["stored_rps"] = round(run[what] / run["duration_s"], 1)
    if os.path.exists(os.path.join(work, name + ".metrics.txt")):
        run["metrics"] = metrics(name + ".metrics.txt")
    if os.path.exists(os.path.join(work, name + ".lag")):
        run.update(key_values(name, ".lag"))
    return run


influxdb = stored_run("influxdb", "points_stored")
activations = stored_run("homeport", "activations_committed")
activations_pg = stored_run("homeport_postgres", "activations_committed")
pings = stored_run("pings", "documents_stored")
pings_pg = stored_run("pings_postgres", "documents_stored")
pings_scrub = stored_run("pings_scrub", "documents_stored")

def half_load_run(name):
    run = key_values(name)
    run["duration_s"] = run.pop("duration_us") / 1e6
    run["documents_stored"] = stored(name)
    run["metrics"] = metrics(name + ".metrics.txt")
    return run


half = half_load_run("half_load")
half_1k = half_load_run("half_load_1k")

conn = key_values("connections")
conn["rss_idle_mb"] = round(conn["rss_idle_kb"] / 1024, 1)
conn["rss_held_mb"] = round(conn["rss_held_kb"] / 1024, 1)
conn["connections"] = int(env["HOLD_CONNECTIONS"])

fsync = key_values("fsync")
sqlite_insert = key_values("sqlite_insert")
pg_insert = {m: key_values("postgres_insert_" + m) for m in ("pipeline", "multirow", "copy")}
pg_best = max(pg_insert, key=lambda m: pg_insert[m]["rps"])

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
        "influxdb": env["INFLUX_VERSION"],
        "postgresql": env["PG_VERSION"],
        "libsodium": sh("pkg-config", "--modversion", "libsodium"),
        "libpq": sh("pkg-config", "--modversion", "libpq"),
        "sqlite3": sh("sqlite3", "--version"),
    },
}

a_rps = activations["stored_rps"]
p_rps = pings["stored_rps"]
p_pg_rps = pings_pg["stored_rps"]
nginx_rps = nginx["rps"]
influx_rps = influxdb["stored_rps"]
rss_mb = conn["rss_held_mb"]
figures = {
    "cores": machine["cores"],
    "ed25519_verify_per_s": round(verify),
    "nginx_rps": round(nginx_rps),
    "influxdb_rps": round(influx_rps),
    "activations_rps_sqlite": round(a_rps),
    "activations_rps_postgres": round(activations_pg["stored_rps"]),
    "activations_per_verify": round(a_rps / verify, 3),
    "activations_per_nginx": round(a_rps / nginx_rps, 3),
    "jws_verify_per_s": round(jws_verify),
    "pings_rps_sqlite": round(p_rps),
    "pings_rps_postgres": round(p_pg_rps),
    "pings_scrub_rps_sqlite": round(pings_scrub["stored_rps"]),
    "pings_per_nginx": round(p_rps / nginx_rps, 3),
    "pings_postgres_per_nginx": round(p_pg_rps / nginx_rps, 3),
    "pings_scrub_per_nginx": round(pings_scrub["stored_rps"] / nginx_rps, 3),
    "pings_sqlite_per_influxdb": round(p_rps / influx_rps, 3),
    "pings_p99_ms_half_load": round(half["p99_us"] / 1000, 2),
    "pings_p99_ms_half_load_1k": round(half_1k["p99_us"] / 1000, 2),
    "pings_load_lag_s_sqlite": pings.get("load_lag_s"),
    "pings_load_lag_s_postgres": pings_pg.get("load_lag_s"),
    "rss_mb_10k_connections": rss_mb,
    "fdatasync_p50_ms": round(fsync["p50_us"] / 1000, 2),
    "sqlite_insert_rps": round(sqlite_insert["rps"]),
    "postgres_insert_rps": round(pg_insert[pg_best]["rps"]),
    "postgres_insert_rps_pipeline": round(pg_insert["pipeline"]["rps"]),
    "postgres_insert_rps_multirow": round(pg_insert["multirow"]["rps"]),
    "postgres_insert_rps_copy": round(pg_insert["copy"]["rps"]),
    "pings_sqlite_per_sqlite_insert": round(p_rps / sqlite_insert["rps"], 3),
    "pings_postgres_per_postgres_insert": round(p_pg_rps / pg_insert[pg_best]["rps"], 3),
}

goals = {
    "activations_per_verify >= 0.70": figures["activations_per_verify"] >= 0.70,
    "pings_per_nginx >= 0.50": figures["pings_per_nginx"] >= 0.50,
    "pings_postgres_per_nginx >= 0.30": figures["pings_postgres_per_nginx"] >= 0.30,
    "pings_sqlite_per_influxdb >= 3": figures["pings_sqlite_per_influxdb"] >= 3,
    "pings_p99_ms_half_load <= 10": (figures["pings_p99_ms_half_load"] <= 10 and half["errors"] == 0
                                     and half["non2xx"] == 0),
    "pings_p99_ms_half_load_1k <= 25": (figures["pings_p99_ms_half_load_1k"] <= 25
                                        and half_1k["errors"] == 0 and half_1k["non2xx"] == 0),
    "pings_scrub_per_nginx >= 0.25": figures["pings_scrub_per_nginx"] >= 0.25,
    "rss_mb_10k_connections <= 150": (rss_mb <= 150 and conn["open"] == conn["connections"]
                                      and conn.get("closed_by_server", 0) == 0),
}

details = {
    "settings": {
        "wrk": f"-t{env['WRK_THREADS']} -c{env['WRK_CONNECTIONS']} -d{env['SECONDS_PER_RUN']}s",
        "verify_seconds": float(env["VERIFY_SECONDS"]),
        "devices_enrolled": int(env["DEVICES"]),
        "homeport": f"serve --region {env['REGION']} --store sqlite:DB|postgresql://... --listen 127.0.0.1:0",
        "nginx": "bench/peers/nginx.conf.in: worker_processes 2, access_log off, return 204",
        "influxdb": f"bench/peers/influxdb.conf.in: default storage settings (WAL fsync before "
                    f"every answer), access log, monitoring and reporting off; {env['INFLUX_POINTS']} "
                    f"points from bench/pings.py --influx, one per POST /write",
        "postgresql": f"scripts/with-postgres.sh --durable: {env['PG_SETTINGS'].strip()}",
        "pings": f"serve ... --client-rate 1000000 --client-burst 1000000 --ingest-budget-docs "
                 f"1000000 --ingest-budget-bytes 100000000000; bench/pings.py: "
                 f"{env['PINGS']} diagnostics and {env['FEEDBACK_PINGS']} feedback pings over "
                 f"{env['PING_CLIENTS']} client ids, unique doc_ids, plain JSON; bench/posts.lua",
        "half_load": f"homeport_bench open-loop --rate {env['HALF_RATE']} --seconds "
                     f"{env['LATENCY_SECONDS']} --connections {env['WRK_CONNECTIONS']} (and 1000)",
        "connections": f"homeport_bench hold-connections --connections {env['HOLD_CONNECTIONS']} "
                       f"--path /healthz",
        "insert": f"homeport_bench insert-rate --batch {env['INSERT_BATCH']} --seconds "
                  f"{env['SECONDS_PER_RUN']}",
    },
    "goals": goals,
    "postgres_insert_best": pg_best,
    "nginx": nginx,
    "influxdb": influxdb,
    "homeport": activations,
    "homeport_postgres": activations_pg,
    "pings": pings,
    "pings_postgres": pings_pg,
    "pings_scrub": pings_scrub,
    "half_load": half,
    "half_load_1k": half_1k,
    "connections": conn,
    "fdatasync": fsync,
    "sqlite_insert": sqlite_insert,
    "postgres_insert": pg_insert,
}

results = {"machine": machine, "figures": figures, "details": details}
with open(env["RESULTS"], "w") as f:
    json.dump(results, f, indent=2)
    f.write("\n")


def wrk_how(run, what):
    return (f"{what} / {run['duration_s']:.2f} s; p50 {ms(run['p50_us'])}, p99 {ms(run['p99_us'])}; "
            f"non-2xx {n(run['non2xx'])}")


cores = machine["cores"]
batch = env["INSERT_BATCH"]
method_names = {"pipeline": "pipeline", "multirow": "multi-row INSERT", "copy": "COPY"}
lines = [
    f"### homeport benchmark — {machine['date']}",
    "",
    f"{machine['cpu_model']}, {cores} cores, {machine['memory_gib']} GiB, "
    f"Linux {machine['kernel']}; build {machine['build_type']}; "
    f"load average {machine['load_average_before']} before, {machine['load_average_after']} after"
    f"{'' if machine['bench_nice'] == 0 else ', benchmark processes at nice ' + str(machine['bench_nice'])}. "
    f"wrk {details['settings']['wrk']}, same script for every server; PostgreSQL "
    f"{env['PG_VERSION']} (durable: fsync on, synchronous_commit on), InfluxDB "
    f"{env['INFLUX_VERSION'].split()[1] if len(env['INFLUX_VERSION'].split()) > 1 else env['INFLUX_VERSION']}.",
    "",
    "| figure | value | how |",
    "|---|---:|---|",
    f"| `ed25519_verify_per_s` | {n(verify)} | libsodium verify, 1 core, {n(float(env['VERIFY_SECONDS']))} s, "
    f"~260-byte JWS signing inputs |",
    f"| `nginx_rps` | {n(nginx_rps)} | nginx `return 204`, {n(nginx['requests'])} requests in "
    f"{nginx['duration_s']:.2f} s, p50 {ms(nginx['p50_us'])}, p99 {ms(nginx['p99_us'])} |",
    f"| `influxdb_rps` | {n(influx_rps)} | InfluxDB, durable WAL: "
    + wrk_how(influxdb, f"{n(influxdb['points_stored'])} diagnostics pings stored as points") + " |",
    f"| `activations_rps_sqlite` | {n(a_rps)} | "
    + wrk_how(activations, f"{n(activations['activations_committed'])} activations committed") + " |",
    f"| activations / ed25519 verify | **{a_rps / verify:.2f}** | goal ≥ 0.70: "
    f"{met(goals['activations_per_verify >= 0.70'])} |",
    f"| activations / nginx | **{a_rps / nginx_rps:.2f}** | share of the HTTP ceiling |",
    f"| `activations_rps_postgres` | {n(activations_pg['stored_rps'])} | "
    + wrk_how(activations_pg, f"{n(activations_pg['activations_committed'])} activations committed") + " |",
    f"| `pings_rps_sqlite` | {n(p_rps)} | "
    + wrk_how(pings, f"{n(pings['documents_stored'])} diagnostics pings stored") + " |",
    f"| pings / nginx | **{p_rps / nginx_rps:.2f}** | goal ≥ 0.50: {met(goals['pings_per_nginx >= 0.50'])} |",
    f"| pings on SQLite / InfluxDB | **{p_rps / influx_rps:.2f}** | goal ≥ 3: "
    f"{met(goals['pings_sqlite_per_influxdb >= 3'])} |",
    f"| `pings_rps_postgres` | {n(p_pg_rps)} | "
    + wrk_how(pings_pg, f"{n(pings_pg['documents_stored'])} diagnostics pings stored") + " |",
    f"| pings on PostgreSQL / nginx | **{p_pg_rps / nginx_rps:.2f}** | goal ≥ 0.30: "
    f"{met(goals['pings_postgres_per_nginx >= 0.30'])} |",
    f"| `pings_scrub_rps_sqlite` | {n(pings_scrub['stored_rps'])} | "
    + wrk_how(pings_scrub, f"{n(pings_scrub['documents_stored'])} ~2 KB feedback pings scrubbed and stored")
    + " |",
    f"| pings with scrubbing / nginx | **{pings_scrub['stored_rps'] / nginx_rps:.2f}** | context |",
    f"| `pings_p99_ms_half_load` | {half['p99_us'] / 1000:.2f} | {n(half['scheduled'])} diagnostics pings "
    f"offered at {n(half['rate'])}/s (half of `pings_rps_sqlite`) over {half['connections']} connections, "
    f"open loop, latency from the time each was due: p50 {ms(half['p50_us'])}, p90 {ms(half['p90_us'])}, "
    f"max {ms(half['max_us'])}; non-2xx {n(half['non2xx'])}, errors {n(half['errors'])} |",
    f"| p99 at half load | **{half['p99_us'] / 1000:.2f} ms** | goal ≤ 10 ms: "
    f"{met(goals['pings_p99_ms_half_load <= 10'])} |",
    f"| `pings_p99_ms_half_load_1k` | {half_1k['p99_us'] / 1000:.2f} | the same over "
    f"{half_1k['connections']} connections: p50 {ms(half_1k['p50_us'])}, p90 {ms(half_1k['p90_us'])}, "
    f"max {ms(half_1k['max_us'])}; non-2xx {n(half_1k['non2xx'])}, errors {n(half_1k['errors'])} |",
    f"| p99 at half load, 1,000 connections | **{half_1k['p99_us'] / 1000:.2f} ms** | goal ≤ 25 ms, "
    f"no errors: {met(goals['pings_p99_ms_half_load_1k <= 25'])} |",
    f"| `rss_mb_10k_connections` | {rss_mb:.1f} | VmRSS of `homeport serve` holding "
    f"{n(conn['open'])} keep-alive connections (each after one GET /healthz; {n(conn['failed'])} failed), "
    f"{conn['rss_idle_mb']:.1f} MB before; "
    f"{(conn['rss_held_kb'] - conn['rss_idle_kb']) / max(conn['open'], 1):.1f} KB per connection |",
    f"| RSS at {n(conn['connections'])} connections | **{rss_mb:.0f} MB** | goal ≤ 150 MB: "
    f"{met(goals['rss_mb_10k_connections <= 150'])} |",
    f"| `fdatasync_p50_ms` | {fsync['p50_us'] / 1000:.2f} | one fdatasync after a 64 KiB append on this disk "
    f"(p90 {ms(fsync['p90_us'])}, p99 {ms(fsync['p99_us'])}): every durable answer waits for at least one, "
    f"so {env['WRK_CONNECTIONS']} closed-loop connections get at most about "
    f"{n(int(env['WRK_CONNECTIONS']) / (fsync['p50_us'] / 1e6))} answers/s |",
    f"| `sqlite_insert_rps` | {n(sqlite_insert['rps'])} | the ping rows inserted raw through libsqlite3, "
    f"{batch} per transaction, WAL + synchronous=FULL: mean commit {sqlite_insert['mean_batch_ms']:.2f} ms, "
    f"p99 {sqlite_insert['p99_batch_ms']:.2f} ms |",
    f"| pings on SQLite / SQLite insert ceiling | **{figures['pings_sqlite_per_sqlite_insert']:.2f}** | context |",
    f"| `postgres_insert_rps` | {n(pg_insert[pg_best]['rps'])} | the same through libpq, best of: "
    + ", ".join(f"{method_names[m]} {n(pg_insert[m]['rps'])}" for m in pg_insert)
    + f" (mean transaction of {batch}: "
    + ", ".join(f"{pg_insert[m]['mean_batch_ms']:.2f}" for m in pg_insert) + " ms) |",
    f"| pings on PostgreSQL / PostgreSQL insert ceiling | **{figures['pings_postgres_per_postgres_insert']:.2f}** "
    f"| context |",
    f"| `jws_verify_per_s` (context) | {n(jws_verify)} | the server's whole signature check "
    f"(JWS header parse + base64 + verify), 1 core |",
]
for name, run, what in (("activations, SQLite", activations, "activations"),
                        ("activations, PostgreSQL", activations_pg, "activations"),
                        ("diagnostics pings, SQLite", pings, "documents"),
                        ("diagnostics pings, PostgreSQL", pings_pg, "documents"),
                        ("feedback pings, SQLite", pings_scrub, "documents"),
                        ("pings at half load, SQLite", half, "documents")):
    m = run.get("metrics") or {}
    if m.get("commits"):
        slow = m.get("commits_over_10ms")
        lines.append(f"| homeport commits, {name} (context) | {n(m['commits'])} | mean batch "
                     f"{m['mean_batch_size']} {what}, mean commit {m['mean_commit_ms']} ms"
                     + (f", {slow / m['commits']:.1%} of commits over 10 ms" if slow is not None else "")
                     + " |")
cpu = [f"{label}: {peer} {run['peer_cores']}"
       + (f" + postgres {run['db_cores']}" if run.get("db_cores") else "")
       + f" + load {run.get('wrk_cores', run.get('load_cores'))} (machine {run['machine_busy_cores']})"
       for label, peer, run in (("nginx", "nginx", nginx), ("influxdb", "influxd", influxdb),
                                ("activations", "homeport", activations),
                                ("activations pg", "homeport", activations_pg),
                                ("pings", "homeport", pings), ("pings pg", "homeport", pings_pg),
                                ("feedback", "homeport", pings_scrub),
                                ("half load", "homeport", half))]
lines.append(f"| CPU during the runs (context) | | cores busy on average, of {cores} — "
             + "; ".join(cpu) + " |")
lines.append("")

winner = method_names[pg_best]
pipeline_share = pg_insert["pipeline"]["rps"] / pg_insert[pg_best]["rps"]
lines.append(f"PostgreSQL insert methods, {batch} rows per transaction: **{winner} was fastest**"
             + ("" if pg_best == "pipeline" else
                f"; one pipelined statement per row (how the PostgreSQL store sends activations; "
                f"its documents go as one multi-row insert) reached {pipeline_share:.0%} of it")
             + ".")
if machine["verify_thread_on_cpu"] < 0.95:
    lines.append(f"**The verifying thread was on a CPU only {machine['verify_thread_on_cpu']:.0%} of the "
                 "time: other processes took turns, so the verify figure is low.**")
for name, run in (("nginx", nginx), ("influxdb", influxdb), ("activations", activations),
                  ("activations on PostgreSQL", activations_pg), ("pings", pings),
                  ("pings on PostgreSQL", pings_pg), ("feedback pings", pings_scrub)):
    other = run["machine_busy_cores"] - run["peer_cores"] - run["wrk_cores"] - run.get("db_cores", 0)
    if other > 0.25:
        lines.append(f"**Other processes used {other:.2f} cores during the {name} run: the machine "
                     "was not quiet, so the figures may be low.**")
    if run["non2xx"]:
        lines.append(f"**wrk saw {n(run['non2xx'])} non-2xx responses during the {name} run.**")
    if socket_errors(run):
        lines.append(f"**wrk saw {n(socket_errors(run))} socket errors/timeouts during the {name} run.**")
for name, run, what in (("activations", activations, "activations_committed"),
                        ("activations on PostgreSQL", activations_pg, "activations_committed"),
                        ("diagnostics pings", pings, "documents_stored"),
                        ("diagnostics pings on PostgreSQL", pings_pg, "documents_stored"),
                        ("feedback pings", pings_scrub, "documents_stored"),
                        ("InfluxDB points", influxdb, "points_stored")):
    if run[what] > run["wrk_2xx"]:
        lines.append(f"{n(run[what] - run['wrk_2xx'])} more {name} were stored than wrk counted 2xx "
                     "answers: requests in flight when wrk stopped.")
    elif run[what] < run["wrk_2xx"]:
        lines.append(f"**{n(run['wrk_2xx'] - run[what])} {name} were answered 2xx but are not in the "
                     "store (S5 broken?)**")
if half["documents_stored"] < half["completed"] - half["non2xx"]:
    lines.append("**Fewer pings stored than answered 2xx in the half-load run (S5 broken?)**")
if conn["open"] < conn["connections"] or conn.get("closed_by_server", 0):
    lines.append(f"**Only {n(conn['open'])} of {n(conn['connections'])} connections could be opened and "
                 f"held ({n(conn['failed'])} failed, {n(conn.get('closed_by_server', 0))} closed by the "
                 "server): see the run's log.**")
scrubbed = {k.split('"')[1]: v for k, v in pings_scrub.get("metrics", {}).items()
            if k.startswith("homeport_scrubbed_identifiers_total")}
if scrubbed:
    lines.append("Identifiers scrubbed during the feedback run: "
                 + ", ".join(f"{k} {n(v)}" for k, v in sorted(scrubbed.items())) + ".")
lines.append(f"Written to {os.path.relpath(env['RESULTS'], env['ROOT'])}.")
print("\n".join(lines))
