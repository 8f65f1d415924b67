# SPDX-License-Identifier: GPL-2.0-or-later
# Captures VRRP packets (IP header included) for DURATION seconds; one hex line per packet.
import socket, sys, time
dur=float(sys.argv[1]); out=sys.argv[2]; ifaddr=sys.argv[3]
s=socket.socket(socket.AF_INET, socket.SOCK_RAW, 112)
mreq=socket.inet_aton('224.0.0.18')+socket.inet_aton(ifaddr)
s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreq)
end=time.time()+dur
with open(out,'w') as f:
  while time.time()<end:
    s.settimeout(max(0.01,end-time.time()))
    try: d=s.recv(2048)
    except socket.timeout: break
    f.write(d.hex()+"\n"); f.flush()
