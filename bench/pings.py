#!/usr/bin/env python3
"""bench/pings.py --kind diagnostics|feedback --count N --clients C [--influx DB] --out FILE

Writes the requests for the UX-program benchmark, one a line: the submission path
(/submit/homeport-agent/<ping>/1/<doc_id>, a fresh UUID per line), a TAB, the JSON body.
Read by bench/posts.lua. Pings are spread over C client ids (round robin), so the per-client
rate limit applies to each of them separately. See bench/README.md.

With --influx DB (diagnostics only) the same pings become InfluxDB writes instead: the path
/write?db=DB&precision=ns and, as the body, one line-protocol point carrying every field of the
ping (client_id and app_id as tags, the rest as fields, the doc_id included) at a timestamp of
its own, so that no point overwrites another.
"""
import argparse
import json
import random
import time
import uuid

# ~2 KB of prose with the identifiers the server must scrub: an IMEI, a phone number, an
# e-mail address and an IPv4 address.
FEEDBACK = (
    "I have been using this phone for about three months now and overall I am happy with it, "
    "but there are a few things that keep bothering me and I would like to report them here. "
    "First, the battery drains noticeably faster since the last system update: a full charge "
    "used to last me a day and a half, now it is barely enough until the evening, even with "
    "the screen brightness turned down and most background apps closed. Second, the camera app "
    "sometimes freezes when I switch from photo to video mode, and I have to close it and open "
    "it again, which means I miss the moment I wanted to record. Third, the phone restarted "
    "twice on its own last week while it was charging overnight. The support agent on the chat "
    "asked me for the IMEI, which is 490154203237518, and told me to write it here as well so "
    "that the engineering team can look at the logs of this particular device. If somebody "
    "needs to call me about it, my number is +65 6123 4567 and I am usually available in the "
    "afternoon, or you can write to jo@example.com and I will answer within a day. When the "
    "restarts happened the phone was connected to my home Wi-Fi and, in case it matters, the "
    "router gave it the address 192.168.1.57. I also noticed that the keyboard lags a little "
    "when I type quickly in messaging apps, especially right after unlocking the screen, and "
    "that notifications from some apps arrive late, sometimes several minutes after the message "
    "was actually sent. Apart from that the screen is beautiful, the speakers are loud and clear "
    "and the phone feels solid in the hand, so I would still recommend it to friends if these "
    "problems get fixed. I hope the next update addresses the battery and the random restarts, "
    "because those are the two issues that affect me every single day. Thank you for reading "
    "this and for building a phone that lets me choose what it sends back to you. "
)


def envelope(client_id, seq, reason, metrics):
    return {
        "ping_info": {"seq": seq, "start_time": "2026-11-29T13:24+00:00",
                      "end_time": "2026-11-29T14:24+00:00", "reason": reason},
        "client_info": {"client_id": client_id, "first_run_date": "2026-11-29+00:00",
                        "telemetry_sdk_build": "homeport-agent 0.1.0", "os": "Linux",
                        "os_version": "6.1", "architecture": "x86_64", "app_build": "1",
                        "app_display_version": "1.0.0"},
        "metrics": metrics,
    }


def lp_string(value):
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def influx_template(db, reason, metrics):
    """A line-protocol point with the fields of envelope(); %-placeholders as in main()."""
    info = envelope("@CLIENT@", 888888, reason, metrics)
    fields = ["doc_id=@DOC@", "seq=888888i"]
    for section in ("ping_info", "client_info"):
        for k, v in info[section].items():
            if k not in ("seq", "client_id"):
                fields.append(f"{k}={lp_string(v)}")
    for kind in metrics.values():
        for name, v in kind.items():
            fields.append(f"{name.split('.', 1)[1]}={v}i")
    point = ("diagnostics,app_id=homeport-agent,client_id=@CLIENT@ " + ",".join(fields)
             + " 777777")
    point = (point.replace("%", "%%").replace("@CLIENT@", "%s").replace("@DOC@", '"%s"')
             .replace("888888i", "%di").replace(" 777777", " %d"))
    return f"/write?db={db}&precision=ns", point


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--kind", choices=("diagnostics", "feedback"), required=True)
    p.add_argument("--count", type=int, required=True)
    p.add_argument("--clients", type=int, default=1000)
    p.add_argument("--influx", metavar="DB", help="write InfluxDB line-protocol requests for DB")
    p.add_argument("--out", required=True)
    a = p.parse_args()
    if a.influx and a.kind != "diagnostics":
        p.error("--influx: diagnostics pings only")
    rng = random.Random(3)
    clients = [str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(a.clients)]
    # The body is built once with json.dumps and placeholders, then filled in per line:
    # hundreds of thousands of lines in a few seconds.
    if a.kind == "diagnostics":
        metrics = {"counter": {"diagnostics.crash_count": 2, "diagnostics.anr_count": 1},
                   "quantity": {"diagnostics.free_storage": 20480,
                                "diagnostics.battery_cycle_count": 312}}
        reason = "scheduled"
    else:
        metrics = {"text": {"feedback.text": FEEDBACK}, "quantity": {"feedback.rating": 999999}}
        reason = "user_submitted"
    template = json.dumps(envelope("@CLIENT@", 888888, reason, metrics), separators=(",", ":"))
    template = (template.replace("%", "%%").replace('"@CLIENT@"', '"%s"')
                .replace("888888", "%d").replace("999999", "%d"))
    prefix = f"/submit/homeport-agent/{a.kind}/1/"
    if a.influx:
        path, point = influx_template(a.influx, reason, metrics)
        base_ns = time.time_ns()
        with open(a.out, "w") as f:
            for i in range(a.count):
                body = point % (clients[i % a.clients], uuid.uuid4(), i // a.clients, base_ns + i)
                f.write(f"{path}\t{body}\n")
        return
    with open(a.out, "w") as f:
        for i in range(a.count):
            seq = i // a.clients
            if a.kind == "diagnostics":
                body = template % (seq, clients[i % a.clients])
            else:
                body = template % (seq, clients[i % a.clients], 1 + i % 5)
            f.write(f"{prefix}{uuid.uuid4()}\t{body}\n")  # doc_id: random, unique

if __name__ == "__main__":
    main()
