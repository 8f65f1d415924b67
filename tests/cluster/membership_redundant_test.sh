#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Two UDP links: cutting one leaves the node active with that link dead; restoring brings it back.
. "$(dirname "$0")/lib.sh"
hb_require_netns
hb_pair alpha beta 0
hb_pair alpha beta 1
for n in alpha beta; do
  hb_config "$n" "keepalive 100ms
deadtime 500ms
initdead 1
ucast eth0 10.$HB_SUBNET.0.1
ucast eth0 10.$HB_SUBNET.0.2
ucast eth1 10.$HB_SUBNET.1.1
ucast eth1 10.$HB_SUBNET.1.2
node alpha beta"
done
hb_start alpha; hb_start beta
hb_expect_nodestatus alpha beta active 10
hb_wait 5 hb_linkstatus_is alpha beta eth1 up || hb_fail "eth1 not up"

hb_exec beta ip link set eth1 down
hb_wait 5 hb_linkstatus_is alpha beta eth1 dead || hb_fail "eth1 not dead after cut"
sleep 1.5
[ "$(hb_cl alpha nodestatus beta)" = active ] || hb_fail "beta not active with one link left"
[ "$(hb_cl alpha hblinkstatus beta eth0)" = up ] || hb_fail "eth0 should stay up"
hb_pass "one link cut: node active, eth1 dead, eth0 up"

hb_exec beta ip link set eth1 up
hb_wait 10 hb_linkstatus_is alpha beta eth1 up || hb_fail "eth1 not back up"
hb_pass "link restored"

hb_exec beta ip link set eth0 down
hb_exec beta ip link set eth1 down
hb_expect_nodestatus alpha beta dead 5
hb_pass "both links cut: node dead"
