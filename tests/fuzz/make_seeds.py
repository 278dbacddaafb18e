#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets into tests/fuzz/corpus/<target>/.

Seeds are small, meaningful inputs: what a real client, device or firmware tree sends, taken
from the shipped schemas, the unit tests' examples and the captures in tests/data/captures.
Signed seeds (activations, manifests) use the fixed keys the targets use (fuzz_region_service.h,
region_manifest_fuzz.cc), so they verify. Re-running it rewrites the same files; fuzzers add
their own finds to a separate working corpus (scripts/fuzz.sh), never here.
"""
import base64
import gzip
import hashlib
import io
import json
import os
import struct
import tarfile
import zipfile

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives import serialization

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CORPUS = os.path.join(ROOT, "tests", "fuzz", "corpus")
CAPTURES = os.path.join(ROOT, "tests", "data", "captures")
QUIC_CAPTURES = os.path.join(ROOT, "tests", "data", "quic")


def b64u(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def dumps(obj):
    # nlohmann::json::dump(): sorted keys, no spaces.
    return json.dumps(obj, sort_keys=True, separators=(",", ":"))


class Key:
    def __init__(self, seed):
        self.secret = Ed25519PrivateKey.from_private_bytes(seed)
        self.seed = seed
        self.public = self.secret.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw)

    def thumbprint(self):
        canonical = '{"crv":"Ed25519","kty":"OKP","x":"%s"}' % b64u(self.public)
        return b64u(hashlib.sha256(canonical.encode()).digest())

    def jwk(self, secret=False):
        j = {"crv": "Ed25519", "kty": "OKP", "x": b64u(self.public)}
        if secret:
            j["d"] = b64u(self.seed)
        return j

    def header(self, extra):
        h = {"alg": "EdDSA", "kid": self.thumbprint()}
        h.update(extra)
        return b64u(dumps(h).encode())

    def sign_detached(self, body):
        header = self.header({"b64": False, "crit": ["b64"]})
        sig = self.secret.sign(header.encode() + b"." + body)
        return header + ".." + b64u(sig)

    def sign_compact(self, payload, extra):
        signing_input = self.header(extra) + "." + b64u(payload)
        return signing_input + "." + b64u(self.secret.sign(signing_input.encode()))


DEVICE = Key(bytes(range(1, 33)))
ROOT_KEY = Key(b"r" + bytes(31))
SERIAL = "HP7-FUZZ-0001"
CLIENT = "3f0b8c1e-2d4a-4b6c-9e8f-0a1b2c3d4e5f"
DOC = "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9"
ADMIN_TOKEN = "fuzz-admin-token-0123456789"


def write(target, name, data):
    folder = os.path.join(CORPUS, target)
    os.makedirs(folder, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def activation_body(region="sg", serial=SERIAL, manifest_version=1, sequence=1):
    return dumps({"serial": serial, "model": "HP7", "sku": "HP7-64", "variant": "global",
                  "region": region, "client_version": "1.0.0",
                  "manifest_version": manifest_version, "sequence": sequence}).encode()


def ping(metrics, client=CLIENT, extra=None):
    p = {"ping_info": {"seq": 0, "start_time": "2026-11-29T13:24+00:00",
                       "end_time": "2026-11-29T14:24+00:00"},
         "client_info": {"client_id": client, "first_run_date": "2026-11-29+00:00",
                         "telemetry_sdk_build": "homeport-agent 0.1.0", "os": "Linux",
                         "os_version": "6.1", "architecture": "x86_64", "app_build": "1",
                         "app_display_version": "1.0.0"},
         "metrics": metrics}
    if extra:
        p.update(extra)
    return dumps(p).encode()


DIAGNOSTICS = ping({"counter": {"diagnostics.crash_count": 2, "diagnostics.anr_count": 1}})
FEEDBACK = ping({"text": {"feedback.text": "broken after update, my IMEI is 490154203237518, "
                                           "call +65 6123 4567 or mail a@example.com"},
                 "quantity": {"feedback.rating": 2}})
DELETION = ping({})


def http(method, target, headers=(), body=b""):
    head = "%s %s HTTP/1.1\r\nHost: sg.example.com\r\n" % (method, target)
    for name, value in headers:
        head += "%s: %s\r\n" % (name, value)
    return head.encode() + b"\r\n" + body


def chunked(body, size=17):
    out = b""
    for i in range(0, len(body), size):
        part = body[i:i + size]
        out += b"%x;ext=1\r\n" % len(part) + part + b"\r\n"
    return out + b"0\r\n\r\n"


def http_router():
    t = "http_router"
    write(t, "healthz", http("GET", "/healthz"))
    write(t, "head_healthz", http("HEAD", "/healthz", [("Connection", "close")]))
    write(t, "metrics", http("GET", "/metrics"))
    write(t, "manifest", http("GET", "/v1/manifest"))
    write(t, "privacy_json", http("GET", "/privacy?format=json", [("Accept", "application/json")]))
    write(t, "privacy_html", http("GET", "/privacy"))
    write(t, "admin_warranty", http("GET", "/v1/admin/warranty/" + SERIAL,
                                    [("Authorization", "Bearer " + ADMIN_TOKEN)]))
    write(t, "admin_export", http("GET", "/v1/admin/uxp/clients/" + CLIENT,
                                  [("Authorization", "Bearer " + ADMIN_TOKEN)]))
    body = activation_body()
    write(t, "activation", http("POST", "/v1/activations",
                                [("Content-Type", "application/json"),
                                 ("X-Homeport-Signature", DEVICE.sign_detached(body)),
                                 ("Content-Length", str(len(body)))], body))
    submit = "/submit/homeport-agent/diagnostics/1/" + DOC
    write(t, "submit_chunked", http("POST", submit, [("Content-Type", "application/json"),
                                                     ("Transfer-Encoding", "chunked")],
                                    chunked(DIAGNOSTICS)))
    zipped = gzip.compress(FEEDBACK, mtime=0)
    write(t, "submit_gzip", http("POST", "/submit/homeport-agent/feedback/1/" + DOC,
                                 [("Content-Type", "application/json"),
                                  ("Content-Encoding", "gzip"),
                                  ("Content-Length", str(len(zipped)))], zipped))
    write(t, "submit_expect", http("POST", submit, [("Content-Type", "text/plain"),
                                                    ("Expect", "100-continue"),
                                                    ("Content-Length", str(len(DIAGNOSTICS)))],
                                   DIAGNOSTICS))
    write(t, "preflight", http("OPTIONS", submit, [("Origin", "https://app.example.com"),
                                                   ("Access-Control-Request-Method", "POST")]))
    write(t, "pipelined", http("GET", "/healthz") +
          http("POST", "/submit/homeport-agent/deletion-request/1/" + DOC,
               [("Content-Type", "application/json"), ("Content-Length", str(len(DELETION)))],
               DELETION) + http("GET", "/metrics", [("Connection", "close")]))


def activation():
    t = "activation"
    for name, body in [("valid", activation_body()), ("check_in", activation_body(manifest_version=3, sequence=2)),
                       ("replay", activation_body(sequence=0)),
                       ("wrong_region", activation_body(region="cn")),
                       ("unknown_serial", activation_body(serial="HP7-OTHER-0002"))]:
        write(t, name, DEVICE.sign_detached(body) + "\n" + body.decode())
    write(t, "not_json", DEVICE.sign_detached(b"{") + "\n{")


def ping_validation():
    t = "ping_validation"
    write(t, "diagnostics", DIAGNOSTICS)
    write(t, "feedback", FEEDBACK)
    write(t, "deletion_request", DELETION)
    write(t, "diagnostics_gzip", gzip.compress(DIAGNOSTICS, mtime=0))
    write(t, "baseline", ping({"timespan": {"glean.baseline.duration": {"value": 52, "time_unit": "second"}},
                               "labeled_counter": {"glean.error.invalid_value": {"feedback.text": 1}}},
                              extra={"ping_info": {"seq": 3, "start_time": "2026-11-29T13:24+00:00",
                                                   "end_time": "2026-11-29T14:24+00:00",
                                                   "reason": "inactive"}}))
    write(t, "events", ping({}, extra={"events": [{"timestamp": 0, "category": "glean",
                                                   "name": "restarted", "extra": {}}]}))


def yaml_files():
    for app in sorted(os.listdir(os.path.join(ROOT, "schemas"))):
        folder = os.path.join(ROOT, "schemas", app)
        for name, target in [("metrics.yaml", "metrics_yaml"), ("pings.yaml", "pings_yaml")]:
            path = os.path.join(folder, name)
            if os.path.exists(path):
                write(target, app, open(path, "rb").read())
    write("metrics_yaml", "types", """---
$schema: moz://mozilla.org/schemas/glean/metrics/2-0-0
$tags: [Fuzz]
ui:
  tapped:
    type: event
    description: A tap.
    bugs: [https://example.com/1]
    data_reviews: [https://example.com/2]
    notification_emails: [dev@example.com]
    expires: 2027-06-30
    extra_keys:
      button: {type: string, description: which}
      count: {type: quantity, description: how many}
  errors:
    type: labeled_counter
    description: Errors by kind.
    bugs: [https://example.com/1]
    data_reviews: [https://example.com/2]
    notification_emails: [dev@example.com]
    expires: "12"
    labels: [io, parse]
    metadata: {retention_days: 30, tags: [Errors]}
    data_sensitivity: [technical]
  layout:
    type: object
    description: A structure.
    bugs: [https://example.com/1]
    data_reviews: [https://example.com/2]
    notification_emails: [dev@example.com]
    expires: never
    structure:
      type: array
      items: {type: object, properties: {name: {type: string}, size: {type: number}}}
  load:
    type: timing_distribution
    time_unit: microsecond
    description: Load time.
    bugs: [https://example.com/1]
    data_reviews: [https://example.com/2]
    notification_emails: [dev@example.com]
    expires: never
    lifetime: application
    send_in_pings: [metrics, custom-ping]
""")
    write("pings_yaml", "reasons", """---
$schema: moz://mozilla.org/schemas/glean/pings/2-0-0
usage:
  description: Usage.
  include_client_id: true
  send_if_empty: false
  bugs: [https://example.com/1]
  data_reviews: [https://example.com/2]
  notification_emails: [dev@example.com]
  reasons:
    daily: once a day
    startup: at start-up
  metadata: {retention_days: 14, include_info_sections: false}
""")


def provisioning():
    profile = {"serial": SERIAL, "model": "HP7", "sku": "HP7-64", "variant": "global",
               "region": "sg", "batch": "B1", "client_version": "1.0.0",
               "device_key": DEVICE.jwk(secret=True), "root_public_key": ROOT_KEY.jwk()}
    write("device_profile", "profile", json.dumps(profile, indent=2) + "\n")
    manifest = {"region": "sg", "variants": ["global"], "activation_url": "https://act.sg.example.com",
                "uxp_url": "https://uxp.sg.example.com", "tls_pins": [], "version": 1,
                "issued_at": "2026-06-01T00:00:00Z"}
    payload = dumps(manifest).encode()
    write("region_manifest", "signed", ROOT_KEY.sign_compact(payload, {"typ": "homeport-manifest+jws"}) + "\n")
    write("region_manifest", "payload", b"s" + payload)
    rollback = dict(manifest, rollback=True)
    write("region_manifest", "rollback", b"s" + dumps(rollback).encode())
    rotation = {"old_kid": ROOT_KEY.thumbprint(), "new_kid": DEVICE.thumbprint(),
                "new_root_public_key": dict(DEVICE.jwk(), kid=DEVICE.thumbprint()),
                "issued_at": "2026-06-01T00:00:00.000Z"}
    payload = dumps(rotation).encode()
    write("root_rotation", "signed", ROOT_KEY.sign_compact(payload, {"typ": "homeport-rotation+jws"}) + "\n")
    write("root_rotation", "payload", b"s" + payload)
    write("jwk", "public", dumps(DEVICE.jwk()))
    write("jwk", "secret", dumps(DEVICE.jwk(secret=True)))
    write("jwk", "base64url", b64u(DEVICE.public))
    rows = ["serial,model,sku,variant,region,batch,public_key",
            ",".join([SERIAL, "HP7", "HP7-64", "global", "sg", "B1", b64u(DEVICE.public)]),
            ",".join(["HP7-FUZZ-0002", "HP7", "HP7-64", "cn", "cn", "B2", b64u(ROOT_KEY.public)]),
            "bad,line"]
    write("enrollment_csv", "batch", "\r\n".join(rows) + "\r\n")
    write("audit_policy", "strict", dumps({"region": "sg", "allow_hosts": ["*.sg.example.com", "10.0.0.1"],
                                           "allow_countries": ["SG"], "allow_cleartext": False,
                                           "allow_private": False, "allow_identifiers": ["imei"]}))
    write("audit_policy", "minimal", '{"region": "sg", "allow_hosts": []}')


def scanner():
    write("scanner_text", "log", "boot ok imei=490154203237518 imsi: 525011234567890\n"
          "wlan0 ether 00:1a:2b:3c:4d:5e inet 192.168.1.20 fe80::21a:2bff:fe3c:4d5e\n"
          "ICCID 8965012345678901234 cell_id=12345 lac=4321 tel +65 6123 4567 mail a.b@example.com\n")
    write("scanner_text", "feedback", "Please call me on 6123 4567 or 9123-4567, serial HP7-0001")
    write("scanner_json", "device", dumps({"imei": "490154203237518", "cells": [{"id": 12345, "lac": 4321}],
                                           "wifi": {"mac": "00:1a:2b:3c:4d:5e"}, "contact": "a@example.com",
                                           "+6561234567": True, "ip": ["10.0.0.2", "2001:db8::1"]}))


def pcap_records(path):
    data = open(path, "rb").read()
    if data[:4] not in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        return
    at = 24
    while at + 16 <= len(data):
        incl = struct.unpack("<I", data[at + 8:at + 12])[0]
        yield data[at + 16:at + 16 + incl]
        at += 16 + incl


def ip_of(frame):
    """The IP packet in an Ethernet frame (VLAN tags skipped), or None."""
    at, ethertype = 12, struct.unpack(">H", frame[12:14])[0]
    while ethertype in (0x8100, 0x88A8):
        at += 4
        ethertype = struct.unpack(">H", frame[at:at + 2])[0]
    return frame[at + 2:] if ethertype in (0x0800, 0x86DD) else None


def transport_of(packet):
    """(protocol, transport payload, header) of an unfragmented IPv4/IPv6 packet."""
    if packet[0] >> 4 == 4:
        ihl = (packet[0] & 15) * 4
        total = struct.unpack(">H", packet[2:4])[0]
        return packet[9], packet[ihl:total]
    if packet[0] >> 4 == 6:
        return packet[6], packet[40:40 + struct.unpack(">H", packet[4:6])[0]]
    return None, b""


def captures():
    for folder in (CAPTURES, QUIC_CAPTURES):
        for name in sorted(os.listdir(folder)):
            path = os.path.join(folder, name)
            # The largest captures are left out: big seeds slow every fuzzing run.
            if name.endswith((".pcap", ".pcapng")) and os.path.getsize(path) < 32 << 10:
                write("pcap", name, open(path, "rb").read())
    fragments = [ip_of(f) for f in pcap_records(os.path.join(CAPTURES, "dns_fragmented.pcap"))]
    fragments = [p for p in fragments if p]
    write("ip_defrag", "dns_fragmented",
          b"".join(struct.pack(">H", len(p)) + p for p in fragments[:12]))
    write("ip_defrag", "reversed",
          b"".join(struct.pack(">H", len(p)) + p for p in reversed(fragments[:6])))
    dns, hellos, requests = [], [], []
    for name in ["malformed_dns.pcap", "dns_long_domainname.pcap", "xiaomi.pcap", "443-chrome.pcap",
                 "encrypted_sni.pcap", "http-lines-split.pcap"]:
        streams = {}
        for frame in pcap_records(os.path.join(CAPTURES, name)):
            packet = ip_of(frame)
            if not packet:
                continue
            proto, seg = transport_of(packet)
            if proto == 17 and len(seg) > 8:
                sport, dport = struct.unpack(">HH", seg[:4])
                if 53 in (sport, dport):
                    dns.append(seg[8:])
            elif proto == 6 and len(seg) > 20:
                sport, dport = struct.unpack(">HH", seg[:4])
                payload = seg[(seg[12] >> 4) * 4:]
                if payload:
                    streams.setdefault((sport, dport), b"")
                    streams[(sport, dport)] += payload
        for (sport, dport), stream in streams.items():
            if dport == 443 and stream[:1] == b"\x16":
                hellos.append(stream[:4096])
            elif dport == 80 and stream[:4].isalpha():
                requests.append(stream[:4096])
    for i, msg in enumerate(dns[:8]):
        write("dns", "capture_%d" % i, msg)
    for i, hello in enumerate(hellos[:4]):
        write("tls_client_hello", "capture_%d" % i, hello)
    for i, req in enumerate(requests[:3]):
        write("capture_http", "capture_%d" % i, req)
    body = gzip.compress(b'{"imei":"490154203237518"}', mtime=0)
    write("capture_http", "chunked_gzip",
          b"POST /report HTTP/1.1\r\nHost: api.example.cn\r\nTransfer-Encoding: chunked\r\n"
          b"Content-Encoding: gzip\r\n\r\n" + chunked(body, 11))
    write("capture_http", "pipelined",
          b"GET /a?imei=490154203237518 HTTP/1.1\r\nHost: x.example\r\nUser-Agent: t\r\n\r\n"
          b"POST /b HTTP/1.0\r\nHost: y.example:8080\r\nContent-Length: 5\r\n\r\nhello")
    write("capture_http", "ssdp", b"M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\n"
          b"MAN: \"ssdp:discover\"\r\nMX: 1\r\nST: ssdp:all\r\n\r\n")
    # TCP: records of [seq][flags][action][length][payload] (tcp_reassembly_fuzz.cc).
    def seg(seq, flags, action, payload):
        return struct.pack(">IBBB", seq, flags, action, len(payload)) + payload
    write("tcp_reassembly", "in_order", seg(1000, 0x02, 0, b"") + seg(1001, 0x18, 0, b"GET / HTTP/1.1\r\n") +
          seg(1017, 0x18, 2, b"Host: a.example\r\n\r\n") + seg(1036, 0x11, 0x3f, b""))
    write("tcp_reassembly", "out_of_order", seg(1, 0x02, 0, b"") + seg(11, 0x10, 0, b"world") +
          seg(2, 0x10, 0, b"hello, ") + seg(2, 0x10, 0, b"hello, ") + seg(30, 0x10, 0x40, b"late") +
          seg(9, 0x10, 0x80, b"!!"))
    write("tcp_reassembly", "wraparound", seg(0xfffffff0, 0x02, 0, b"") + seg(0xfffffff1, 0x10, 0, b"x" * 40) +
          seg(0x19, 0x10, 1, b"y" * 20))


def quic_protect(version, dcid, pn, frames, scid=b""):
    """A client Initial carrying `frames`, protected as RFC 9001 §5 (and RFC 9369) says."""
    from cryptography.hazmat.primitives import hashes, hmac
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    from cryptography.hazmat.primitives.kdf.hkdf import HKDFExpand
    v2 = version == 0x6b3343cf
    salt = bytes.fromhex({1: "38762cf7f55934b34d179ae6a4c80cadccbb7f0a",
                          0x6b3343cf: "0dede3def700a6db819381be6e269dcbf9bd2ed9",
                          0xff00001d: "afbfec289993d24c9e9786f19c6111e04390a899"}[version])

    def expand_label(secret, label, length):
        full = b"tls13 " + label
        info = struct.pack(">HB", length, len(full)) + full + b"\0"
        return HKDFExpand(hashes.SHA256(), length, info).derive(secret)

    h = hmac.HMAC(salt, hashes.SHA256())
    h.update(dcid)
    client = expand_label(h.finalize(), b"client in", 32)
    prefix = b"quicv2 " if v2 else b"quic "
    key, iv, hp = (expand_label(client, prefix + b"key", 16), expand_label(client, prefix + b"iv", 12),
                   expand_label(client, prefix + b"hp", 16))
    header = bytes([0xc0 | ((1 if v2 else 0) << 4) | 3]) + struct.pack(">I", version)
    header += bytes([len(dcid)]) + dcid + bytes([len(scid)]) + scid + b"\0"
    header += struct.pack(">H", 0x4000 | (4 + len(frames) + 16))
    pn_offset = len(header)
    header += struct.pack(">I", pn)
    nonce = iv[:4] + bytes(a ^ b for a, b in zip(iv[4:], struct.pack(">Q", pn)))
    packet = bytearray(header + AESGCM(key).encrypt(nonce, frames, header))
    mask = Cipher(algorithms.AES(hp), modes.ECB()).encryptor().update(
        bytes(packet[pn_offset + 4:pn_offset + 20]))
    packet[0] ^= mask[0] & 0x0f
    for i in range(4):
        packet[pn_offset + i] ^= mask[1 + i]
    return bytes(packet)


def quic_initial():
    """Records of [2-byte length][datagram] after a mode byte (quic_initial_fuzz.cc)."""
    t = "quic_initial"
    dcid = bytes.fromhex("8394c8f03e515708")

    def records(*datagrams):
        return b"".join(struct.pack(">H", len(d)) + d for d in datagrams)

    def varint(v):
        return bytes([v]) if v < 64 else struct.pack(">H", 0x4000 | v)

    def crypto(offset, data):
        return b"\x06" + varint(offset) + varint(len(data)) + data

    # RFC 9001 §A.2's frames: the protected packets equal the RFCs' examples (quic_initial_test.cc).
    rfc = bytes.fromhex(
        "060040f1010000ed0303ebf8fa56f12939b9584a3896472ec40bb863cfd3e868"
        "04fe3a47f06a2b69484c00000413011302010000c000000010000e00000b6578"
        "616d706c652e636f6dff01000100000a00080006001d00170018001000070005"
        "04616c706e000500050100000000003300260024001d00209370b2c9caa47fba"
        "baf4559fedba753de171fa71f50f1ce15d43e994ec74d748002b000302030400"
        "0d0010000e0403050306030203080408050806002d00020101001c0002400100"
        "3900320408ffffffffffffffff05048000ffff07048000ffff08011001048000"
        "75300901100f088394c8f03e51570806048000ffff")
    rfc += bytes(1162 - len(rfc))
    write(t, "rfc9001_a2", b"\0" + records(quic_protect(1, dcid, 2, rfc)))
    write(t, "rfc9369_a2", b"\0" + records(quic_protect(0x6b3343cf, dcid, 2, rfc)))
    hello = rfc[4:4 + 0xf1]  # the bare ClientHello message
    pieces = [(120, hello[120:]), (40, hello[40:130]), (0, hello[:50])]
    write(t, "split_out_of_order", b"\0" + records(
        *[quic_protect(1, dcid, i, crypto(o, d) + bytes(40)) for i, (o, d) in enumerate(pieces)]))
    zero_rtt = bytes([0xd3]) + struct.pack(">I", 1) + bytes([len(dcid)]) + dcid + b"\0" + \
        struct.pack(">H", 0x4000 | 30) + bytes(30)
    write(t, "coalesced", b"\0" + records(
        quic_protect(0xff00001d, dcid, 0, b"\x02\x00\x00\x00\x00\x01" + crypto(0, hello[:100])) +
        quic_protect(0xff00001d, dcid, 1, crypto(100, hello[100:]) + bytes(20)) + zero_rtt))
    # Frames the target protects itself (mode byte odd; bits 1-2: v1, v2, draft-29, T051).
    write(t, "frames_v1", b"\x01" + records(crypto(100, hello[100:]) + b"\x01", crypto(0, hello[:120])))
    write(t, "frames_v2_ack_close", b"\x03" + records(
        b"\x03\x05\x00\x01\x00\x01\x01\x00\x00\x00" + crypto(0, hello),
        b"\x1c\x01\x00\x04oops"))
    # The client datagrams of real captures (Ethernet pcap files).
    for name in ["quic-29.pcap", "quic_t51.pcap"]:
        clients = {}
        for frame in pcap_records(os.path.join(QUIC_CAPTURES, name)):
            packet = ip_of(frame)
            if not packet:
                continue
            proto, seg = transport_of(packet)
            if proto == 17 and len(seg) > 8 and struct.unpack(">H", seg[2:4])[0] == 443:
                clients.setdefault(struct.unpack(">H", seg[:2])[0], []).append(seg[8:])
        for port, datagrams in sorted(clients.items())[:1]:
            write(t, name.split(".")[0], b"\0" + records(*datagrams[:4]))


def hostile_streams():
    """What an attacker sends the capture parsers (issue: "never clean when it did not look"):
    bodies past the scan limit, gzip bombs, heads past theirs, one byte a chunk or a segment,
    a datagram in the smallest fragments, duplicated fragments. Sized for the targets' small
    limits (capture_http: 1 KiB heads, 8 KiB bodies; ip_defrag: 64 fragments a datagram)."""
    imei = b"imei=490154203237518&"
    body = b"a" * 1000 + imei + b"a" * 9000
    write("capture_http", "body_past_limit",
          b"POST /upload HTTP/1.1\r\nHost: h\r\nContent-Length: %d\r\n\r\n" % len(body) + body +
          b"GET /next HTTP/1.1\r\nHost: h\r\n\r\n")
    bomb = gzip.compress(b"a" * 3000 + imei + b"a" * 200000, mtime=0)
    write("capture_http", "gzip_bomb",
          b"POST /g HTTP/1.1\r\nContent-Encoding: gzip\r\nContent-Length: %d\r\n\r\n" % len(bomb) +
          bomb + b"GET /after HTTP/1.1\r\n\r\n")
    write("capture_http", "head_past_limit",
          b"POST /h HTTP/1.1\r\nHost: h\r\nX-Device: " + imei + b"\r\nContent-Length: 4\r\nX-Pad: " +
          b"p" * 1500 + b"\r\n\r\nbody")
    write("capture_http", "chunked_one_byte",
          b"POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n" +
          b"".join(b"1\r\n" + bytes([c]) + b"\r\n" for c in imei * 20) + b"0\r\n\r\n")
    tail = gzip.compress(b"hello", mtime=0) + imei + gzip.compress(b"more", mtime=0)
    write("capture_http", "gzip_then_plain",
          b"POST /t HTTP/1.1\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n" +
          chunked(tail, 5) + b"GET / HTTP/1.1\r\n\r\n")

    def fragment(ident, offset, payload, more):
        flags = (0x2000 if more else 0) | (offset // 8)
        header = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident, flags, 64, 17, 0,
                             bytes([192, 0, 2, 1]), bytes([192, 0, 2, 2]))
        packet = header + payload
        return struct.pack(">H", len(packet)) + packet
    udp = struct.pack(">HHHH", 40000, 53, 8 + 1016, 0) + bytes(range(256)) * 3 + b"x" * 248
    write("ip_defrag", "smallest_fragments_reversed",
          b"".join(fragment(7, at, udp[at:at + 8], at + 8 < len(udp))
                   for at in reversed(range(0, len(udp), 8))))
    write("ip_defrag", "duplicated_fragment", fragment(9, 0, b"01234567", True) * 200 +
          fragment(9, 8, b"89", False))

    def seg(seq, flags, action, payload):
        return struct.pack(">IBBB", seq, flags, action, len(payload)) + payload
    pairs = b"".join(seg(2 + i + 1, 0x10, 0, b"b") + seg(2 + i, 0x10, 1, b"a") for i in range(0, 2000, 2))
    write("tcp_reassembly", "swapped_pairs", seg(1, 0x02, 0, b"") + pairs)
    write("tcp_reassembly", "reversed_one_byte",
          seg(1, 0x02, 0, b"") + b"".join(seg(2 + i, 0x10, 0, b"r") for i in reversed(range(300))))


def archives():
    t = "archive_walk"
    manifest = ROOT_KEY.sign_compact(dumps({"region": "sg", "variants": ["global"],
                                            "activation_url": "https://act.sg.example.com",
                                            "uxp_url": "https://uxp.sg.example.com", "tls_pins": [],
                                            "version": 1, "issued_at": "2026-06-01T00:00:00Z"}).encode(),
                                     {"typ": "homeport-manifest+jws"})
    config = ("endpoint=https://telemetry.example.cn/v1/upload\nbackup=http://10.0.0.5:8080/\n"
              "manifest=%s\n" % manifest).encode()
    write(t, "config.txt", config)
    jar = io.BytesIO()
    with zipfile.ZipFile(jar, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("com/example/Upload.class", b"\xca\xfe\xba\xbe\x00\x00api.example.com\x00")
    apk = io.BytesIO()
    with zipfile.ZipFile(apk, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("res/raw/config.txt", config)
        z.writestr("lib/upload.jar", jar.getvalue())
        z.writestr("classes.dex", "dex\n035\x00" + "\x00".join(["https://uxp.sg.example.com", "a.b"]))
    write(t, "nested.apk", apk.getvalue())
    tgz = io.BytesIO()
    with tarfile.open(fileobj=tgz, mode="w:gz") as tar:
        for name, data in [("etc/homeport/manifest.jws", manifest.encode()), ("app/Activation.apk", apk.getvalue())]:
            info = tarfile.TarInfo(name)
            info.size, info.mtime = len(data), 0
            tar.addfile(info, io.BytesIO(data))
        link = tarfile.TarInfo("etc/link")
        link.type, link.linkname = tarfile.SYMTYPE, "../../etc/passwd"
        tar.addfile(link)
    write(t, "firmware.tar.gz", tgz.getvalue())
    write(t, "single.gz", gzip.compress(config, mtime=0))


if __name__ == "__main__":
    http_router()
    activation()
    ping_validation()
    yaml_files()
    provisioning()
    scanner()
    captures()
    quic_initial()
    archives()
