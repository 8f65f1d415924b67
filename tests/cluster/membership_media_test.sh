#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 3 nodes over bcast on a bridge; then 2 nodes over mcast; then two UDP links with one cut.
. "$(dirname "$0")/lib.sh"
hb_require_netns

# --- 3 nodes, bcast
hb_bridge n1 n2 n3
for n in n1 n2 n3; do
  hb_config "$n" "keepalive 100ms
deadtime 600ms
initdead 1
bcast eth0
node n1 n2 n3"
done
for n in n1 n2 n3; do hb_start "$n"; done
for n in n1 n2 n3; do
  for p in n1 n2 n3; do
    [ "$n" = "$p" ] && continue
    hb_expect_nodestatus "$n" "$p" active 10
  done
done
hb_pass "3 nodes over bcast: all active"
hb_kill9 n2
hb_expect_nodestatus n1 n2 dead 5
hb_expect_nodestatus n3 n2 dead 5
[ "$(hb_cl n1 nodestatus n3)" = active ] || hb_fail "n3 not active for n1 after n2 died"
hb_pass "3 nodes: n2 dead, n1 and n3 still active"
hb_stop n1; hb_stop n3

# --- 2 nodes, mcast (same hub, two of the nodes)
for n in n1 n3; do
  hb_config "$n" "keepalive 100ms
deadtime 600ms
initdead 1
mcast eth0 239.0.0.$HB_SUBNET 694 1 0
node n1 n3"
done
hb_start n1; hb_start n3
hb_expect_nodestatus n1 n3 active 10
hb_expect_nodestatus n3 n1 active 10
hb_pass "2 nodes over mcast: active"
