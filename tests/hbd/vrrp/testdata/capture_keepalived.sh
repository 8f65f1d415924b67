#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# How the ka227_*.hex captures were made (2026-11-29, keepalived 2.2.7, run as root): two namespaces,
# keepalived in one, a python3 raw socket (capture_vrrp.py) in the other writing one packet per line.
P=vrcap$$
A=${P}a; B=${P}b
cleanup(){ KAPEER_DIR=/tmp/vrrpcap/ka bash /work/shared/research/keepalived-peer.sh stop $A >/dev/null 2>&1; ip netns del $A 2>/dev/null; ip netns del $B 2>/dev/null; }
trap cleanup EXIT
ip netns add $A; ip netns add $B
ip link add vca$$ netns $A type veth peer name vcb$$ netns $B
ip -n $A addr add 10.203.0.1/24 dev vca$$; ip -n $B addr add 10.203.0.2/24 dev vcb$$
ip -n $A link set vca$$ up; ip -n $B link set vcb$$ up; ip -n $A link set lo up; ip -n $B link set lo up
# 1) v2 PASS, two VIPs: write config by hand
mkdir -p /tmp/vrrpcap/ka
cat > /tmp/vrrpcap/ka/k1.conf <<EOC
global_defs { router_id cap }
vrrp_instance VI_7 {
  state BACKUP
  interface vca$$
  virtual_router_id 7
  priority 200
  advert_int 1
  authentication {
    auth_type PASS
    auth_pass hbdpw
  }
  virtual_ipaddress {
    10.203.0.100/24
    10.203.0.101/24
  }
}
EOC
ip netns exec $B python3 "$(dirname "$0")"/capture_vrrp.py 6.5 /tmp/vrrpcap/v2pass2.hex 10.203.0.2 &
CP=$!
ip netns exec $A keepalived -P -n -l -D -f /tmp/vrrpcap/ka/k1.conf -p /tmp/vrrpcap/ka/1.pid -r /tmp/vrrpcap/ka/1v.pid -c /tmp/vrrpcap/ka/1c.pid -b /tmp/vrrpcap/ka/1b.pid > /tmp/vrrpcap/ka/k1.log 2>&1 &
KP=$!
sleep 5.5; kill -TERM $KP; wait $CP; wait $KP
# also catch the prio-0 one? done below with v3 unicast
cat > /tmp/vrrpcap/ka/k2.conf <<EOC
global_defs { router_id cap2 }
vrrp_instance VI_9 {
  state BACKUP
  interface vca$$
  virtual_router_id 9
  priority 120
  version 3
  advert_int 0.05
  unicast_src_ip 10.203.0.1
  unicast_peer {
    10.203.0.2
  }
  virtual_ipaddress {
    10.203.0.109/24
  }
}
EOC
ip netns exec $B python3 "$(dirname "$0")"/capture_vrrp.py 2 /tmp/vrrpcap/v3uni.hex 10.203.0.2 &
CP=$!
ip netns exec $A keepalived -P -n -l -D -f /tmp/vrrpcap/ka/k2.conf -p /tmp/vrrpcap/ka/2.pid -r /tmp/vrrpcap/ka/2v.pid -c /tmp/vrrpcap/ka/2c.pid -b /tmp/vrrpcap/ka/2b.pid > /tmp/vrrpcap/ka/k2.log 2>&1 &
KP=$!
sleep 1.5; kill -TERM $KP; wait $CP; wait $KP
echo "captures written"
