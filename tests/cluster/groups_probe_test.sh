#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Never on both: hbd killed and restarted at once on the holder while its resources keep running,
# with probes that take 3 s. The restarted node must not report the group stopped, nor grant the
# peer's claim, before its probes are done (issue 11 item 1): the peer, whose preferred group it
# is, never starts it meanwhile, and the group stays on alpha (auto_failback off).
# deadtime 3 s: the restart must fall within it (a longer one is a death: fencing's job).
. "$(dirname "$0")/lib.sh"
hb_require_netns
hb_bridge alpha beta
for n in alpha beta; do
  hb_config "$n" "$(printf '%s\n' "keepalive 100ms" "deadtime 3" "initdead 3" "ucast eth0 ${HB_NODE_IP[alpha]}" \
    "ucast eth0 ${HB_NODE_IP[beta]}" "auto_failback off" "node alpha beta")"
  printf 'beta marker::A marker::B\n' > "$HB_T/$n/etc/haresources"
  hb_marker_agent "$n"
done
KEY=marker::A
runs_nothing() { [ ! -e "$HB_T/$1/state/A" ] && [ ! -e "$HB_T/$1/state/B" ]; }
holds() { [ -e "$HB_T/$1/state/A" ] && [ -e "$HB_T/$1/state/B" ]; }

: > "$HB_T/markers.log"
hb_start alpha  # alone: after initdead it takes beta's group
hb_wait 20 holds alpha || hb_fail "alpha did not take the group while beta was down: $(hb_markers | tr '\n' ,)"
hb_start beta
hb_wait 10 hb_group_is beta "$KEY" owner alpha || hb_fail "beta's view: owner $(hb_group_field beta "$KEY" owner)"
sleep 1
holds alpha && runs_nothing beta || hb_fail "auto_failback off: the group should stay on alpha: $(hb_markers | tr '\n' ,)"
hb_pass "group preferred on beta runs on alpha (auto_failback off)"

touch "$HB_T/alpha/SLOW_STATUS"
t0=$(hb_now_ms)
hb_kill9 alpha  # hbd only: A and B keep running
hb_start alpha
hb_log "alpha's hbd restarted after $(( $(hb_now_ms) - t0 )) ms; probes take 3 s"
sleep 0.5
local_state=$(hb_group_field alpha "$KEY" local_state)
[ "$local_state" = unknown ] || hb_fail "while probing alpha says local_state '$local_state', expected unknown"
end=$(( $(date +%s) + 6 ))
while [ "$(date +%s)" -lt "$end" ]; do
  runs_nothing beta || hb_fail "beta started the group while alpha was still probing it: $(hb_markers | tr '\n' ,)"
  sleep 0.05
done
hb_wait 10 hb_group_is alpha "$KEY" local_state started || hb_fail "alpha: local_state $(hb_group_field alpha "$KEY" local_state)"
hb_wait 10 hb_group_is beta "$KEY" owner alpha || hb_fail "beta's view: owner $(hb_group_field beta "$KEY" owner)"
holds alpha && runs_nothing beta || hb_fail "the group should still run on alpha only: $(hb_markers | tr '\n' ,)"
[ "$(hb_markers | tr '\n' ,)" = "alpha start A,alpha start B," ] || hb_fail "agents run: $(hb_markers | tr '\n' ,)"
grep -q "probes done" "$HB_T/alpha/hbd.out" || hb_fail "alpha's log does not say its probes are done"
hb_pass "restart under running resources with 3 s probes: beta never started the group, alpha kept it"
hb_marker_dual_check
rm -f "$HB_T/alpha/SLOW_STATUS"
