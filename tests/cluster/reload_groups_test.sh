#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Reload of the resource groups (issue 11 item 8), two nodes reloaded one after the other as an
# operator does it, group A (alpha) running throughout and never touched:
#  1. a group B (beta) added to haresources: it starts on beta once both nodes know it;
#  2. B changed (a third resource): stopped on beta, then started with its new definition;
#  3. B removed: stopped right to left and gone from both nodes' status;
#  4. A blocked by a failed stop (unmanaged): a reload that changes A is refused as a whole (exit 1, says why),
#     nothing changes, and beta does not take A.
# Dual ownership of both addresses is sampled every 5 ms and of every marker from its log: 0.
. "$(dirname "$0")/lib.sh"
hb_require_netns
hb_bridge alpha beta
VIP1="10.$HB_SUBNET.0.100"
VIP2="10.$HB_SUBNET.0.101"
GB="group_IPaddr_$VIP2"
LINE_A="alpha IPaddr::$VIP1/24/eth0 marker::A"
for n in alpha beta; do
  hb_config "$n" "$(hb_pair_hacf on)"
  printf '%s\n' "$LINE_A" > "$HB_T/$n/etc/haresources"
  hb_marker_agent "$n"
done
holds() { hb_vip_on "$1" "$2" && [ -e "$HB_T/$1/state/$3" ]; }
free() { hb_vip_on "$1" "$2" || [ -e "$HB_T/$1/state/$3" ] && return 1; return 0; }
groups_of() {
  hb_ctl "$1" status --json | python3 -c 'import json,sys; print(" ".join(g["id"] for g in json.load(sys.stdin)["groups"]))'
}
markers() { hb_markers | tr '\n' ,; }
# reload_both TEXT WANT: haresources TEXT on beta, reload it, then the same on alpha; each reply
# must contain WANT.
reload_both() {
  local n out
  for n in beta alpha; do
    printf '%s\n' "$1" > "$HB_T/$n/etc/haresources"
    out=$(hb_ctl "$n" reload 2>&1) || hb_fail "reload on $n failed: $out"
    case $out in *"$2"*) ;; *) hb_fail "reload on $n did not say '$2': $out" ;; esac
    hb_log "$n: $out"
    sleep 0.3  # the other node reloads a little later
  done
}

: > "$HB_T/markers.log"
hb_start alpha
hb_start beta
hb_wait 20 holds alpha "$VIP1" A || hb_fail "group A did not start on alpha"
hb_wait 10 hb_nodestatus_is alpha beta active || hb_fail "beta not active"
hb_dual_sampler alpha beta "$VIP1" "$VIP2"

# --- 1. a group added ----------------------------------------------------------------------------
reload_both "$LINE_A"$'\n'"beta IPaddr::$VIP2/24/eth0 marker::B" "groups (added $GB)"
hb_wait 20 holds beta "$VIP2" B || hb_fail "the new group did not start on beta: $(markers)"
hb_wait 10 hb_group_is alpha "$GB" state started || hb_fail "alpha's view of $GB: $(hb_group_field alpha "$GB" state)"
[ "$(markers)" = "alpha start A,beta start B," ] || hb_fail "markers after the add: $(markers)"
[ "$(groups_of alpha)" = "group_IPaddr_$VIP1 $GB" ] || hb_fail "alpha's groups: $(groups_of alpha)"
hb_pass "group added by reload: started on beta, group A untouched"

# --- 2. a group changed --------------------------------------------------------------------------
reload_both "$LINE_A"$'\n'"beta IPaddr::$VIP2/24/eth0 marker::B marker::C" "groups (changed $GB"
hb_wait 20 holds beta "$VIP2" C || hb_fail "the changed group did not start on beta: $(markers)"
[ "$(markers)" = "alpha start A,beta start B,beta stop B,beta start B,beta start C," ] \
  || hb_fail "markers after the change: $(markers)"
hb_pass "group changed by reload: stopped, then started with its new resource; group A untouched"

# --- 3. a group removed --------------------------------------------------------------------------
reload_both "$LINE_A" "groups (removed $GB"
hb_wait 20 free beta "$VIP2" B || hb_fail "the removed group still runs on beta: $(markers)"
[ -e "$HB_T/beta/state/C" ] && hb_fail "marker C still runs on beta"
[ "$(markers)" = "alpha start A,beta start B,beta stop B,beta start B,beta start C,beta stop C,beta stop B," ] \
  || hb_fail "markers after the removal: $(markers)"
for n in alpha beta; do
  [ "$(groups_of "$n")" = "group_IPaddr_$VIP1" ] || hb_fail "$n's groups after the removal: $(groups_of "$n")"
done
holds alpha "$VIP1" A || hb_fail "group A is not on alpha any more"
hb_pass "group removed by reload: stopped right to left on beta, gone from both nodes"

# --- 4. a reload that changes a blocked group is refused -------------------------------------------
GA="group_IPaddr_$VIP1"
touch "$HB_T/alpha/FAIL_STOP_A"
"$HB_BIN/hb_standby" --socket "$HB_T/alpha/run/hbd.sock" all >/dev/null || hb_fail "hb_standby all refused"
hb_wait 20 hb_group_is alpha "$GA" state unmanaged || hb_fail "A's stop did not fail: $(hb_group_field alpha "$GA" state)"
printf '%s marker::D\n' "$LINE_A" > "$HB_T/alpha/etc/haresources"
rc=0; out=$(hb_ctl alpha reload 2>&1) || rc=$?
[ "$rc" = 1 ] || hb_fail "reload changing a blocked group exited $rc: $out"
case $out in *"reload refused, nothing changed"*"blocked by a failed stop"*) ;; *) hb_fail "reload did not say why: $out" ;; esac
sleep 1.5  # three deadtimes
[ "$(hb_vip_count "$VIP1" alpha beta)" = 1 ] || hb_fail "A's address moved: $(hb_vip_count "$VIP1" alpha beta) nodes"
[ -e "$HB_T/beta/state/A" ] && hb_fail "beta started the blocked group"
[ -e "$HB_T/alpha/state/D" ] && hb_fail "the refused definition was applied"
[ "$(hb_group_field alpha "$GA" state)" = unmanaged ] || hb_fail "A on alpha: $(hb_group_field alpha "$GA" state)"
hb_pass "reload changing a blocked group: exit 1 ($(echo "$out" | tail -n1 | sed 's/^ *//')), nothing changed"

hb_dual_check
hb_marker_dual_check
