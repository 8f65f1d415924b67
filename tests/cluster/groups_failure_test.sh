#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Acceptance 5: agent failures.
#  1. a resource that fails to start on alpha: alpha releases what it started (right to left) and
#     the group ends up running on beta;
#  2. the same resource failing on both nodes: the group ends `failed` with nothing running
#     anywhere (hbctl status --json: "state": "failed");
#  3. a stop that fails (after hbd's retries) leaves the group `unmanaged` on alpha, and beta does
#     not start it;
#  4. the block outlives alpha's `hbd -k` (which exits 3 and says why), its restart and its death;
#     `hbctl cleanup` lifts it once the operator has stopped what was left on alpha.
# lib.sh's marker agent fails on purpose when $HB_T/NODE/FAIL_START_NAME or FAIL_STOP_NAME exists.
. "$(dirname "$0")/lib.sh"
hb_require_netns
hb_bridge alpha beta
VIP="10.$HB_SUBNET.0.100"
KEY="IPaddr::$VIP/24/eth0"
for n in alpha beta; do
  hb_config "$n" "$(hb_pair_hacf on)"
  printf 'alpha IPaddr::%s/24/eth0 marker::A marker::B\n' "$VIP" > "$HB_T/$n/etc/haresources"
  hb_marker_agent "$n"
done

hb_dual_sampler alpha beta "$VIP"

runs_nothing() { ! hb_vip_on "$1" "$VIP" && [ ! -e "$HB_T/$1/state/A" ] && [ ! -e "$HB_T/$1/state/B" ]; }
holds() { hb_vip_on "$1" "$VIP" && [ -e "$HB_T/$1/state/A" ] && [ -e "$HB_T/$1/state/B" ]; }
field() { hb_group_field "$1" "$KEY" "$2"; }
field_is() { hb_group_is "$1" "$KEY" "$2" "$3"; }
restart_both() {
  hb_stop alpha
  hb_stop beta
  rm -f "$HB_T"/alpha/FAIL_* "$HB_T"/beta/FAIL_*
  : > "$HB_T/markers.log"
}

# --- 1. start fails on alpha -> beta ----------------------------------------------------------
touch "$HB_T/alpha/FAIL_START_B"
: > "$HB_T/markers.log"
hb_start alpha
hb_start beta
hb_wait 20 holds beta || hb_fail "the group is not running on beta after B failed to start on alpha: $(hb_markers | tr '\n' ,)"
runs_nothing alpha || hb_fail "alpha still runs part of the group"
[ "$(hb_markers | tr '\n' ,)" = "alpha start A,alpha stop A,beta start A,beta start B," ] \
  || hb_fail "order: $(hb_markers | tr '\n' ,) (expected alpha start A, alpha stop A, beta start A, beta start B)"
hb_wait 5 field_is beta owner beta && hb_wait 5 field_is beta state started || hb_fail "beta's view: $(field beta state)/$(field beta owner)"
[ "$(field beta failed_on)" = alpha ] || hb_fail "failed_on: '$(field beta failed_on)', expected alpha"
grep -q "Giving up resources due to failure of marker_B" "$HB_T/alpha/hbd.out" || hb_fail "alpha's log does not name the failure"
# With auto_failback on and alpha up, the group must not bounce back to alpha where it failed.
sleep 2
holds beta || hb_fail "the group left beta again: $(hb_markers | tr '\n' ,)"
hb_pass "B failed to start on alpha: alpha stopped A, beta runs the group (failed_on alpha)"

# --- 2. start fails on both nodes -> failed, nothing running ----------------------------------
restart_both
touch "$HB_T/alpha/FAIL_START_B" "$HB_T/beta/FAIL_START_B"
hb_start alpha
hb_start beta
hb_wait 20 field_is alpha state failed || hb_fail "alpha's view of the group: '$(field alpha state)', expected failed"
hb_wait 10 field_is beta state failed || hb_fail "beta's view of the group: '$(field beta state)', expected failed"
sleep 1
runs_nothing alpha || hb_fail "alpha runs part of the failed group"
runs_nothing beta || hb_fail "beta runs part of the failed group"
[ "$(field alpha owner)" = - ] || hb_fail "failed group has owner $(field alpha owner)"
[ "$(hb_cl alpha rscstatus)/$(hb_cl beta rscstatus)" = none/none ] || hb_fail "rscstatus $(hb_cl alpha rscstatus)/$(hb_cl beta rscstatus)"
failed_on=$(field alpha failed_on | tr ',' '\n' | sort | tr '\n' ' ')
[ "$failed_on" = "alpha beta " ] || hb_fail "failed_on: '$failed_on'"
hb_ctl alpha status | grep -q "failed" || hb_fail "hbctl status does not show failed: $(hb_ctl alpha status)"
starts=$(hb_markers | grep -c "start A")
[ "$starts" = 2 ] || hb_fail "A was started $starts times (expected once per node): $(hb_markers | tr '\n' ,)"
hb_pass "B fails on both nodes: group failed (failed_on alpha beta), nothing running, each node tried once"

# --- 3. stop fails on alpha -> unmanaged, beta does not start it -------------------------------
restart_both
hb_start alpha
hb_start beta
hb_wait 20 holds alpha || hb_fail "group not on alpha"
hb_wait 10 field_is beta owner alpha || hb_fail "beta's view: owner $(field beta owner)"
touch "$HB_T/alpha/FAIL_STOP_A"
: > "$HB_T/markers.log"
"$HB_BIN/hb_standby" --socket "$HB_T/alpha/run/hbd.sock" all >/dev/null || hb_fail "hb_standby all refused"
hb_wait 20 field_is alpha state unmanaged || hb_fail "alpha's view: '$(field alpha state)', expected unmanaged"
hb_ctl alpha status | grep -q "unmanaged" || hb_fail "hbctl status (text) does not say unmanaged: $(hb_ctl alpha status)"
hb_log "beta's view of the group: state $(field beta state), owner $(field beta owner)"
# beta must not start it: watch for a while (retries, reports, a deadtime).
for _ in $(seq 1 30); do
  runs_nothing beta || hb_fail "beta started the group although alpha failed to stop it"
  sleep 0.1
done
[ "$(field beta state)" = unmanaged ] || hb_fail "beta's view: '$(field beta state)', expected unmanaged"
hb_vip_on alpha "$VIP" || hb_fail "the VIP (left of the failed resource) should still be on alpha"
[ "$(hb_markers | tr '\n' ,)" = "alpha stop B," ] || hb_fail "agents run: $(hb_markers | tr '\n' ,)"
grep -q "UNMANAGED" "$HB_T/alpha/hbd.out" || hb_fail "alpha's log does not say UNMANAGED"
hb_pass "A failed to stop on alpha: group unmanaged, VIP left on alpha, beta did not start it"

# --- 4. the block outlives alpha's shutdown, restart and death; cleanup lifts it ------------------
# beta starts nothing of the group for SECONDS ($2 says after what).
beta_stays_out() {
  local end=$(( $(date +%s) + $1 ))
  while [ "$(date +%s)" -lt "$end" ]; do
    runs_nothing beta || hb_fail "beta started the group after $2, although its stop failed on alpha"
    sleep 0.05
  done
}
rc=0
"$HB_BIN/hbd" -k -r "$HB_T/alpha/run" 2> "$HB_T/k.err" || rc=$?
wait "${HB_NODE_PID[alpha]}" 2>/dev/null
[ "$rc" = 3 ] || hb_fail "hbd -k with a failed stop exited $rc, expected 3 ($(cat "$HB_T/k.err"))"
grep -q "UNMANAGED" "$HB_T/k.err" || hb_fail "hbd -k does not say why it failed: $(cat "$HB_T/k.err")"
grep -q "Shutdown with group(s) .* could not be stopped" "$HB_T/alpha/hbd.out" || hb_fail "alpha's log does not say it"
beta_stays_out 3 "hbd -k on alpha"
[ "$(field beta state)/$(field beta owner)" = unmanaged/alpha ] \
  || hb_fail "beta's view after alpha shut down: $(field beta state)/$(field beta owner), expected unmanaged/alpha"
hb_pass "hbd -k after the failed stop: exit 3, says UNMANAGED; beta keeps the group blocked"

hb_start alpha  # A still runs and still fails to stop
hb_wait 10 field_is alpha state unmanaged || hb_fail "restarted alpha's view: '$(field alpha state)', expected unmanaged"
[ -s "$HB_T/alpha/hbstate/blocked" ] || hb_fail "no blocked file in alpha's state dir"
beta_stays_out 2 "alpha's restart"
hb_pass "restarted alpha still reports the group unmanaged (state dir); beta keeps out"

hb_kill9 alpha  # its hbd dies; what failed to stop keeps running
beta_stays_out 3 "alpha's death (deadtime 500 ms)"
hb_wait 5 field_is beta state unmanaged || hb_fail "beta's view after alpha died: '$(field beta state)'"
grep -q "stay blocked: their stop failed on alpha" "$HB_T/beta/hbd.out" || hb_fail "beta's log does not say the group stays blocked"
hb_pass "alpha's hbd died: beta still keeps the group blocked"

# The operator stops the rest by hand on alpha, then lifts the block on beta.
hb_exec alpha ip addr del "$VIP/24" dev eth0
rm -f "$HB_T/alpha/state/A" "$HB_T/alpha/FAIL_STOP_A"
out=$(hb_ctl beta cleanup marker_A) || hb_fail "hbctl cleanup marker_A on beta failed: $out"
hb_log "hbctl cleanup: $out"
hb_wait 20 holds beta || hb_fail "beta did not start the group after the cleanup: $(hb_markers | tr '\n' ,)"
hb_wait 5 field_is beta state started || hb_fail "beta's view after cleanup: '$(field beta state)'"
[ ! -s "$HB_T/beta/hbstate/blocked" ] || ! grep -qv '^#' "$HB_T/beta/hbstate/blocked" \
  || hb_fail "beta's state dir still lists a block: $(cat "$HB_T/beta/hbstate/blocked")"
hb_pass "hbctl cleanup on beta lifted the block: beta runs the group"

hb_dual_check
