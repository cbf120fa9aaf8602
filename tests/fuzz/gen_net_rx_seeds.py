#!/usr/bin/python3
"""Builds the seed corpus of fuzz_net_rx (tests/fuzz/corpus/fuzz_net_rx/): sequences of received Ethernet frames,
each behind a 2-byte big-endian length, as tests/fuzz/fuzz_net_rx.c reads them.

The DHCP replies carry the xid the target's LWIP_RAND gives first (FUZZ_RAND; lwIP keeps it for the REQUEST), so the lease seed
really gets the firmware bound (the target prints net/net.c's "net: lease 10.0.2.15" line for it); the frames after
it reach ARP, ICMP and IP reassembly on a configured interface. Run from the repository root:
tests/fuzz/gen_net_rx_seeds.py
"""
import os
import socket
import struct

OUT = os.path.join("tests", "fuzz", "corpus", "fuzz_net_rx")
FUZZ_RAND = 0x1234ABCD  # tests/fuzz/fuzz_net_rx.c
OUR_MAC = bytes.fromhex("525400123457")
SERVER_MAC = bytes.fromhex("525400123502")
BROADCAST_MAC = b"\xff" * 6
OUR_IP, SERVER_IP, DNS_IP = "10.0.2.15", "10.0.2.2", "10.0.2.3"
ETH_IPV4, ETH_ARP = 0x0800, 0x0806
PROTO_ICMP, PROTO_UDP = 1, 17
IP_MORE_FRAGMENTS = 0x2000


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def eth(dst, ethertype, payload):
    return dst + SERVER_MAC + struct.pack("!H", ethertype) + payload


def ipv4(dst, proto, payload, ident=1, frag=0):
    header = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident, frag, 64, proto, 0,
                         socket.inet_aton(SERVER_IP), socket.inet_aton(dst))
    header = header[:10] + struct.pack("!H", checksum(header)) + header[12:]
    return header + payload


def udp(sport, dport, payload):
    return struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload  # checksum 0: none (IPv4)


def dhcp(message_type, xid):
    fixed = struct.pack("!BBBBIHH4s4s4s4s16s64s128s", 2, 1, 6, 0, xid, 0, 0, b"\0" * 4,
                        socket.inet_aton(OUR_IP), socket.inet_aton(SERVER_IP), b"\0" * 4, OUR_MAC, b"", b"")
    options = b"\x63\x82\x53\x63" + bytes([53, 1, message_type])
    for code, value in ((54, socket.inet_aton(SERVER_IP)), (51, struct.pack("!I", 86400)),
                        (1, socket.inet_aton("255.255.255.0")), (3, socket.inet_aton(SERVER_IP)),
                        (6, socket.inet_aton(DNS_IP)), (42, socket.inet_aton(SERVER_IP))):
        options += bytes([code, len(value)]) + value
    frame = udp(67, 68, fixed + options + b"\xff")
    return eth(BROADCAST_MAC, ETH_IPV4, ipv4("255.255.255.255", PROTO_UDP, frame))


def arp_request(target_ip):
    body = struct.pack("!HHBBH6s4s6s4s", 1, ETH_IPV4, 6, 4, 1, SERVER_MAC, socket.inet_aton(SERVER_IP),
                       b"\0" * 6, socket.inet_aton(target_ip))
    return eth(BROADCAST_MAC, ETH_ARP, body)


def echo_request(seq):
    body = struct.pack("!BBHHH", 8, 0, 0, 0x1234, seq) + bytes(range(32))
    body = body[:2] + struct.pack("!H", checksum(body)) + body[4:]
    return eth(OUR_MAC, ETH_IPV4, ipv4(OUR_IP, PROTO_ICMP, body))


def fragments():
    """One UDP datagram (to the DNS client's port range) in two IP fragments, for the reassembly code."""
    datagram = udp(53, 49153, bytes(range(64)))
    return [eth(OUR_MAC, ETH_IPV4, ipv4(OUR_IP, PROTO_UDP, datagram[:40], ident=7, frag=IP_MORE_FRAGMENTS)),
            eth(OUR_MAC, ETH_IPV4, ipv4(OUR_IP, PROTO_UDP, datagram[40:], ident=7, frag=40 // 8))]


def lease():
    return [dhcp(2, FUZZ_RAND), dhcp(5, FUZZ_RAND)]


SEEDS = {
    "lease_arp_ping": lease() + [arp_request(OUR_IP), echo_request(0), echo_request(1)],
    "lease_fragments": lease() + fragments(),
    "lease_nak": [dhcp(2, FUZZ_RAND), dhcp(6, FUZZ_RAND)],
    "runts_and_unknown_types": [b"", b"\x01" * 13, eth(OUR_MAC, 0x86DD, b"\0" * 40), arp_request(SERVER_IP)],
}


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, frames in SEEDS.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(b"".join(struct.pack("!H", len(frame)) + frame for frame in frames))


if __name__ == "__main__":
    main()
