#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Acceptance 4: the preferred node alpha dies and beta takes its group; when alpha returns,
# auto_failback on moves the group back to alpha (stopped right to left on beta first),
# auto_failback off leaves it on beta (and alpha then takes it only when beta fails).
# The VIP is never on both nodes.
. "$(dirname "$0")/lib.sh"
hb_require_netns
hb_bridge alpha beta
VIP="10.$HB_SUBNET.0.100"
KEY="IPaddr::$VIP/24/eth0"

hb_dual_sampler alpha beta "$VIP"

# holds NODE: NODE runs the whole group (VIP and both markers) and the other node none of it.
holds() {
  local n=$1 o=alpha
  [ "$n" = alpha ] && o=beta
  hb_vip_on "$n" "$VIP" && [ -e "$HB_T/$n/state/A" ] && [ -e "$HB_T/$n/state/B" ] &&
    ! hb_vip_on "$o" "$VIP" && [ ! -e "$HB_T/$o/state/A" ] && [ ! -e "$HB_T/$o/state/B" ]
}
rsc_is() { [ "$(hb_cl "$1" rscstatus)" = "$2" ]; }
rsc_both_are() { [ "$(hb_cl alpha rscstatus)/$(hb_cl beta rscstatus)" = "$1" ]; }
markers_are() { [ "$(hb_markers | tr '\n' ,)" = "$1" ]; }

scenario() {
  local af=$1 n
  for n in alpha beta; do
    hb_config "$n" "keepalive 100ms
deadtime 500ms
initdead 1
ucast eth0 ${HB_NODE_IP[alpha]}
ucast eth0 ${HB_NODE_IP[beta]}
auto_failback $af
node alpha beta"
    printf 'alpha IPaddr::%s/24/eth0 marker::A marker::B\n' "$VIP" > "$HB_T/$n/etc/haresources"
    hb_marker_agent "$n"
  done
  : > "$HB_T/markers.log"
  hb_start alpha
  hb_start beta
  hb_wait 20 holds alpha || hb_fail "[$af] group not on alpha at start"
  hb_wait 5 rsc_is alpha local || hb_fail "[$af] rscstatus alpha: $(hb_cl alpha rscstatus)"

  # alpha dies: beta takes the group.
  : > "$HB_T/markers.log"
  hb_node_crash alpha "$VIP"
  hb_wait 15 holds beta || hb_fail "[$af] no failover to beta"
  markers_are "beta start A,beta start B," || hb_fail "[$af] failover order: $(hb_markers | tr '\n' ,)"
  hb_wait 5 rsc_is beta foreign || hb_fail "[$af] rscstatus beta: $(hb_cl beta rscstatus)"
  hb_pass "[auto_failback $af] alpha died: beta runs the group (rscstatus foreign)"

  # alpha returns.
  : > "$HB_T/markers.log"
  hb_node_boot alpha
  hb_start alpha
  hb_expect_nodestatus alpha beta active 15
  hb_expect_nodestatus beta alpha active 15
}

# --- auto_failback on -----------------------------------------------------------------------
scenario on
hb_wait 15 holds alpha || hb_fail "[on] the group did not come back to alpha: $(hb_markers | tr '\n' ,)"
markers_are "beta stop B,beta stop A,alpha start A,alpha start B," || hb_fail "[on] failback order: $(hb_markers | tr '\n' ,)"
hb_wait 5 rsc_both_are local/none \
  || hb_fail "[on] rscstatus after failback: $(hb_cl alpha rscstatus)/$(hb_cl beta rscstatus)"
[ "$(hb_group_field beta "$KEY" owner)" = alpha ] || hb_fail "[on] beta sees owner $(hb_group_field beta "$KEY" owner)"
hb_ctl alpha history | grep -q "group started" || hb_fail "[on] alpha's history has no start: $(hb_ctl alpha history)"
hb_pass "[auto_failback on] alpha returned: the group moved back (stopped B, A on beta, then started A, B on alpha)"
hb_stop alpha
hb_stop beta

# --- auto_failback off ----------------------------------------------------------------------
scenario off
# alpha is back and active: the group must stay on beta. Watch for a while (several report
# intervals and a deadtime), not just once.
for _ in $(seq 1 30); do
  holds beta || hb_fail "[off] the group left beta after alpha returned: $(hb_markers | tr '\n' ,)"
  sleep 0.1
done
[ -s "$HB_T/markers.log" ] && hb_fail "[off] agents ran after alpha returned: $(hb_markers | tr '\n' ,)"
[ "$(hb_cl alpha rscstatus)/$(hb_cl beta rscstatus)" = none/foreign ] \
  || hb_fail "[off] rscstatus: $(hb_cl alpha rscstatus)/$(hb_cl beta rscstatus)"
[ "$(hb_group_field alpha "$KEY" owner)" = beta ] || hb_fail "[off] alpha sees owner $(hb_group_field alpha "$KEY" owner)"
hb_pass "[auto_failback off] alpha returned: the group stays on beta (rscstatus none/foreign)"

# ... until beta fails: then alpha takes it.
: > "$HB_T/markers.log"
hb_node_crash beta "$VIP"
hb_wait 15 holds alpha || hb_fail "[off] alpha did not take the group when beta died"
markers_are "alpha start A,alpha start B," || hb_fail "[off] order: $(hb_markers | tr '\n' ,)"
hb_pass "[auto_failback off] beta died: alpha runs the group again"

hb_dual_check
