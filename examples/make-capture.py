#!/usr/bin/env python3
"""Writes the 2019 leak as a packet capture, for `homeport audit capture`.

A phone of a global build, misbuilt with the China variant's activation client, looks up
zzhc.vnet.cn and POSTs Base64-encoded JSON holding its IMEI, IMSI, ICCID, Wi-Fi MAC and cell ID
over plain HTTP to it, while its own region's activation goes over TLS to act.sg.example.com.
Every value is made up (the IMEI has a valid check digit; nothing belongs to a real person);
the packets are built here byte by byte, so the file is nobody's traffic.

    examples/make-capture.py leak-2019.pcap
"""
import base64
import json
import struct
import sys

PHONE = bytes([192, 168, 1, 23])
RESOLVER = bytes([192, 168, 1, 1])
CHINA_TELECOM = bytes([202, 97, 0, 1])     # zzhc.vnet.cn, in China Telecom's backbone (CN)
SG_SERVER = bytes([203, 116, 0, 10])       # act.sg.example.com, an address in Singapore (SG)


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF


def ipv4(src, dst, proto, payload, ident):
    header = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident, 0x4000, 64, proto,
                         0, src, dst)
    header = header[:10] + struct.pack("!H", checksum(header)) + header[12:]
    return header + payload


def udp(src, dst, sport, dport, payload):
    header = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0)
    pseudo = src + dst + struct.pack("!BBH", 0, 17, len(header) + len(payload))
    c = checksum(pseudo + header + payload)
    return header[:6] + struct.pack("!H", c or 0xFFFF) + payload


def tcp(src, dst, sport, dport, seq, ack, flags, payload=b""):
    header = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 65535, 0, 0)
    pseudo = src + dst + struct.pack("!BBH", 0, 6, len(header) + len(payload))
    c = checksum(pseudo + header + payload)
    return header[:16] + struct.pack("!H", c) + header[18:] + payload


def ethernet(payload):
    return b"\x02\x00\x00\x00\x00\x02" + b"\x02\x00\x00\x00\x00\x01" + b"\x08\x00" + payload


def dns_query(name, ident):
    q = b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\0"
    return struct.pack("!HHHHHH", ident, 0x0100, 1, 0, 0, 0) + q + struct.pack("!HH", 1, 1)


def dns_answer(name, ident, address):
    q = b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\0"
    answer = b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 300, 4) + address
    return struct.pack("!HHHHHH", ident, 0x8180, 1, 1, 0, 0) + q + struct.pack("!HH", 1, 1) + answer


def tls_client_hello(server_name):
    name = server_name.encode()
    sni = struct.pack("!HBH", len(name) + 3, 0, len(name)) + name
    extensions = struct.pack("!HH", 0, len(sni)) + sni
    body = (b"\x03\x03" + bytes(32) + b"\x00" + struct.pack("!H", 2) + b"\x13\x01" + b"\x01\x00"
            + struct.pack("!H", len(extensions)) + extensions)
    handshake = b"\x01" + struct.pack("!I", len(body))[1:] + body
    return b"\x16\x03\x01" + struct.pack("!H", len(handshake)) + handshake


class Capture:
    def __init__(self):
        self.packets = []
        self.time = 1561939200.0  # 2019-07-01T00:00:00Z
        self.ident = 1

    def add(self, src, dst, proto, payload):
        self.time += 0.01
        self.packets.append((self.time, ethernet(ipv4(src, dst, proto, payload, self.ident))))
        self.ident += 1

    def conversation(self, server, sport, dport, request, response=b""):
        """A TCP connection: handshake, one request, one answer, close."""
        c, s = 1000, 5000
        self.add(PHONE, server, 6, tcp(PHONE, server, sport, dport, c, 0, 0x02))
        self.add(server, PHONE, 6, tcp(server, PHONE, dport, sport, s, c + 1, 0x12))
        self.add(PHONE, server, 6, tcp(PHONE, server, sport, dport, c + 1, s + 1, 0x10))
        self.add(PHONE, server, 6, tcp(PHONE, server, sport, dport, c + 1, s + 1, 0x18, request))
        c += 1 + len(request)
        if response:
            self.add(server, PHONE, 6, tcp(server, PHONE, dport, sport, s + 1, c, 0x18, response))
        s += 1 + len(response)
        self.add(PHONE, server, 6, tcp(PHONE, server, sport, dport, c, s, 0x11))
        self.add(server, PHONE, 6, tcp(server, PHONE, dport, sport, s, c + 1, 0x11))
        self.add(PHONE, server, 6, tcp(PHONE, server, sport, dport, c + 1, s + 1, 0x10))

    def write(self, path):
        with open(path, "wb") as f:
            f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
            for t, frame in self.packets:
                f.write(struct.pack("<IIII", int(t), int((t % 1) * 1e6), len(frame), len(frame)))
                f.write(frame)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: make-capture.py OUT.pcap")
    cap = Capture()
    # The device's own region, as it should be: DNS, then TLS to the sg activation server.
    cap.add(PHONE, RESOLVER, 17, udp(PHONE, RESOLVER, 40001, 53, dns_query("act.sg.example.com", 1)))
    cap.add(RESOLVER, PHONE, 17,
            udp(RESOLVER, PHONE, 53, 40001, dns_answer("act.sg.example.com", 1, SG_SERVER)))
    cap.conversation(SG_SERVER, 40100, 443, tls_client_hello("act.sg.example.com"))
    # The China variant's registration client, built in by mistake.
    cap.add(PHONE, RESOLVER, 17, udp(PHONE, RESOLVER, 40002, 53, dns_query("zzhc.vnet.cn", 2)))
    cap.add(RESOLVER, PHONE, 17,
            udp(RESOLVER, PHONE, 53, 40002, dns_answer("zzhc.vnet.cn", 2, CHINA_TELECOM)))
    record = {"IMEI1": "490154203237518", "IMSI1": "460011234567890",
              "ICCID1": "89860012345678901238", "MAC": "02:1a:11:f0:c3:5e",
              "CELLID": "460-01-4123-28391", "MODEL": "HP7", "REGVER": "2.0"}
    body = base64.b64encode(json.dumps(record).encode())
    request = (b"POST /zzhc/register HTTP/1.1\r\nHost: zzhc.vnet.cn\r\n"
               b"Content-Type: application/encrypted-json\r\nContent-Length: "
               + str(len(body)).encode() + b"\r\n\r\n" + body)
    cap.conversation(CHINA_TELECOM, 40200, 80, request,
                     b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nOK")
    cap.write(sys.argv[1])


if __name__ == "__main__":
    main()
