#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A haresources group (VIP + two marker resources): starts on the preferred node in order; fails
# over in order when that node dies; auto_failback on moves it back; hb_standby / hb_takeover move
# it with stops right to left, and the VIP is never on both nodes.
. "$(dirname "$0")/lib.sh"
hb_require_netns
hb_bridge alpha beta
VIP="10.$HB_SUBNET.0.100"
for n in alpha beta; do
  hb_config "$n" "$(hb_pair_hacf on)"
  printf 'alpha IPaddr::%s/24/eth0 marker::A marker::B\n' "$VIP" > "$HB_T/$n/etc/haresources"
  hb_marker_agent "$n"
done

hb_start alpha
hb_start beta
hb_wait 15 hb_vip_on alpha "$VIP" || hb_fail "VIP not on alpha"
hb_wait 10 test -e "$HB_T/alpha/state/B" || hb_fail "B not started on alpha"
[ "$(hb_markers | tr '\n' ,)" = "alpha start A,alpha start B," ] || hb_fail "start order: $(hb_markers | tr '\n' ,)"
hb_vip_on beta "$VIP" && hb_fail "VIP on beta too"
[ "$(hb_cl alpha rscstatus)" = local ] || hb_fail "rscstatus alpha: $(hb_cl alpha rscstatus)"
[ "$(hb_cl beta rscstatus)" = none ] || hb_fail "rscstatus beta: $(hb_cl beta rscstatus)"
hb_pass "group started on the preferred node, in order"

# A sampler that fails the test if the VIP is ever on both nodes.
hb_dual_sampler alpha beta "$VIP"

# hb_standby on alpha -> beta holds everything; stops right to left.
: > "$HB_T/markers.log"
"$HB_BIN/hb_standby" --socket "$HB_T/alpha/run/hbd.sock" all --wait 20 || hb_fail "hb_standby --wait failed"
hb_vip_on beta "$VIP" || hb_fail "VIP not on beta after standby"
hb_vip_on alpha "$VIP" && hb_fail "VIP still on alpha"
[ "$(hb_markers | tr '\n' ,)" = "alpha stop B,alpha stop A,beta start A,beta start B," ] || hb_fail "standby order: $(hb_markers | tr '\n' ,)"
hb_pass "hb_standby all: moved, stop right to left, start left to right"

# hb_takeover on alpha -> back.
: > "$HB_T/markers.log"
"$HB_BIN/hb_takeover" --socket "$HB_T/alpha/run/hbd.sock" all --wait 20 || hb_fail "hb_takeover --wait failed"
hb_vip_on alpha "$VIP" || hb_fail "VIP not on alpha after takeover"
[ "$(hb_markers | tr '\n' ,)" = "beta stop B,beta stop A,alpha start A,alpha start B," ] || hb_fail "takeover order: $(hb_markers | tr '\n' ,)"
hb_pass "hb_takeover all: moved back"

# Failover: alpha dies (hbd killed, its link down) -> beta runs the group.
: > "$HB_T/markers.log"
hb_kill9 alpha
hb_exec alpha ip link set eth0 down
hb_exec alpha ip addr del "$VIP/24" dev eth0 2>/dev/null
rm -f "$HB_T/alpha/state/"*
hb_wait 10 hb_vip_on beta "$VIP" || hb_fail "no failover"
hb_wait 10 test -e "$HB_T/beta/state/B" || hb_fail "B not started on beta"
[ "$(hb_markers | tr '\n' ,)" = "beta start A,beta start B," ] || hb_fail "failover order: $(hb_markers | tr '\n' ,)"
hb_ctl beta history | grep -q "declared dead" || hb_fail "history has no failover timeline"
hb_pass "failover after the active node died"

# alpha returns: auto_failback on -> the group goes back to alpha.
: > "$HB_T/markers.log"
hb_exec alpha ip link set eth0 up
hb_start alpha
hb_wait 20 hb_vip_on alpha "$VIP" || hb_fail "no failback"
hb_wait 5 test -e "$HB_T/alpha/state/B" || hb_fail "B not back on alpha"
[ "$(hb_markers | tr '\n' ,)" = "beta stop B,beta stop A,alpha start A,alpha start B," ] || hb_fail "failback order: $(hb_markers | tr '\n' ,)"
hb_pass "auto_failback on: group back on alpha"
hb_dual_check
