# SPDX-License-Identifier: GPL-2.0-or-later
# arp_capture.py IFACE SECONDS: print every ARP frame seen on IFACE as "OP SENDER_MAC SENDER_IP TARGET_IP".
# OP is 1 for a request, 2 for a reply. Prints "ready" once the raw socket listens.
import socket
import struct
import sys
import time

sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0806))
sock.bind((sys.argv[1], 0))
sock.settimeout(0.1)
print("ready", flush=True)
end = time.monotonic() + float(sys.argv[2])
while time.monotonic() < end:
    try:
        frame = sock.recv(2048)
    except socket.timeout:
        continue
    if len(frame) < 42:
        continue
    op = struct.unpack("!H", frame[20:22])[0]
    mac = ":".join(f"{b:02x}" for b in frame[22:28])
    print(op, mac, socket.inet_ntoa(frame[28:32]), socket.inet_ntoa(frame[38:42]), flush=True)
