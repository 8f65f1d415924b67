#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Reload (SIGHUP and hbctl reload, issue 11 item 8):
#  1. key rotation in three reloads (add the new key on both nodes, switch `auth` on both, drop the
#     old key on both): both nodes stay active, no frame is dropped for an unknown key, the group
#     never moves (dual ownership sampled every 5 ms: 0);
#  2. links: a second link (eth1, its own veth pair) added by reload comes up; then the first one
#     (eth0) removed: eth1 alone carries both nodes, which stay active; a link that cannot be opened
#     (no such interface) refuses the whole reload (exit 1) and nothing changes;
#  3. a new deadtime is applied (cl_status hbparameter shows it);
#  4. a broken authkeys: `hbctl reload` exits 1 naming FILE:LINE, nothing changes (still active);
#  5. a change only a restart applies (the node lines): refused as a whole, nothing changes.
. "$(dirname "$0")/lib.sh"
hb_require_netns
hb_bridge alpha beta
hb_pair alpha beta 1  # eth1: 10.S.1.1 (alpha) and 10.S.1.2 (beta), not a heartbeat link at first
VIP="10.$HB_SUBNET.0.100"
ETH0_LINKS="ucast eth0 ${HB_NODE_IP[alpha]}"$'\n'"ucast eth0 ${HB_NODE_IP[beta]}"
ETH1_LINKS="ucast eth1 10.$HB_SUBNET.1.1"$'\n'"ucast eth1 10.$HB_SUBNET.1.2"
LINKS=$ETH0_LINKS
hacf() {
  hb_pair_hacf on | sed -e "s/^deadtime .*/deadtime ${1:-500ms}/" -e "s/^initdead .*/initdead ${2:-1}/" -e '/^ucast /d'
  printf '%s\n' "$LINKS"
}
for n in alpha beta; do
  hb_config "$n" "$(hacf)" $'auth 1\n1 sha1 old-secret'
  printf 'alpha IPaddr::%s/24/eth0 marker::A\n' "$VIP" > "$HB_T/$n/etc/haresources"
  hb_marker_agent "$n"
done
keys() { printf '%s\n' "$2" > "$HB_T/$1/etc/authkeys"; chmod 600 "$HB_T/$1/etc/authkeys"; }
unknown_key_drops() {
  hb_ctl "$1" status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["counters"]["dropped"]["unknown_key"])'
}
both_active() {
  [ "$(hb_cl alpha nodestatus beta)" = active ] && [ "$(hb_cl beta nodestatus alpha)" = active ]
}
holds() { hb_vip_on "$1" "$VIP" && [ -e "$HB_T/$1/state/A" ]; }
beta_reloaded() { [ "$(grep -c "Reloaded: keys" "$HB_T/beta/hbd.out")" -ge "$1" ]; }

: > "$HB_T/markers.log"
hb_start alpha
hb_start beta
hb_wait 20 holds alpha || hb_fail "the group did not start on alpha"
hb_wait 10 both_active || hb_fail "nodes not active"
hb_dual_sampler alpha beta "$VIP"

# --- 1. key rotation -----------------------------------------------------------------------------
step=0
for text in $'auth 1\n1 sha1 old-secret\n2 sha256 new-secret' $'auth 2\n1 sha1 old-secret\n2 sha256 new-secret' \
            $'auth 2\n2 sha256 new-secret'; do
  step=$((step + 1))
  keys alpha "$text"
  out=$(hb_ctl alpha reload) || hb_fail "step $step: hbctl reload on alpha failed: $out"
  hb_log "step $step alpha: $out"
  sleep 0.3  # the other node reloads a little later (by SIGHUP, as an init script does)
  keys beta "$text"
  kill -HUP "${HB_NODE_PID[beta]}"
  hb_wait 5 beta_reloaded "$step" || hb_fail "step $step: beta did not reload"
  for _ in $(seq 1 20); do  # 2 s, four deadtimes
    both_active || hb_fail "step $step: a node is not active any more: $(hb_cl alpha nodestatus beta)/$(hb_cl beta nodestatus alpha)"
    sleep 0.1
  done
done
[ "$(unknown_key_drops alpha)/$(unknown_key_drops beta)" = 0/0 ] \
  || hb_fail "frames dropped for an unknown key during the rotation: $(unknown_key_drops alpha)/$(unknown_key_drops beta)"
[ "$(hb_markers | tr '\n' ,)" = "alpha start A," ] || hb_fail "the group moved during the rotation: $(hb_markers | tr '\n' ,)"
holds alpha || hb_fail "the group is not on alpha any more"
grep -q "old-secret" "$HB_T/alpha/etc/authkeys" && hb_fail "test bug: the old key is still listed"
hb_pass "key rotation by three reloads: both nodes active throughout, no frame dropped, the group stayed on alpha"

# --- 2. links added and removed ------------------------------------------------------------------
stay_active() {  # for 2 s (four deadtimes): both nodes active all the time
  for _ in $(seq 1 20); do
    both_active || hb_fail "$1: a node is not active any more: $(hb_cl alpha nodestatus beta)/$(hb_cl beta nodestatus alpha)"
    sleep 0.1
  done
}
links_of() { hb_cl "$1" listhblinks "$2" | xargs; }
reload_both() {  # $1: what the replies must contain
  local n out
  for n in alpha beta; do
    printf '%s\n' "$(hacf)" > "$HB_T/$n/etc/ha.cf"
    out=$(hb_ctl "$n" reload 2>&1) || hb_fail "reload on $n failed: $out"
    case $out in *"$1"*) ;; *) hb_fail "reload on $n did not say '$1': $out" ;; esac
    hb_log "$n: $out"
  done
}
LINKS="$ETH0_LINKS"$'\n'"$ETH1_LINKS"
reload_both "links (opened eth1)"
hb_wait 5 hb_linkstatus_is alpha beta eth1 up || hb_fail "eth1 did not come up on alpha: $(links_of alpha beta)"
hb_wait 5 hb_linkstatus_is beta alpha eth1 up || hb_fail "eth1 did not come up on beta"
[ "$(links_of alpha beta)" = "eth0 eth1" ] || hb_fail "alpha's links to beta: '$(links_of alpha beta)'"
stay_active "eth1 added"
hb_pass "link eth1 added by reload: up both ways, both nodes active"
LINKS=$ETH1_LINKS
reload_both "links (closed eth0)"
[ "$(links_of alpha beta)" = "eth1" ] || hb_fail "alpha's links to beta after removing eth0: '$(links_of alpha beta)'"
stay_active "eth0 removed"  # eth1 is the only link now: it carries both nodes
hb_pass "link eth0 removed by reload: eth1 alone keeps both nodes active"
LINKS="$ETH1_LINKS"$'\n'"ucast nosuch0 10.$HB_SUBNET.9.9"
printf '%s\n' "$(hacf 3 4)" > "$HB_T/alpha/etc/ha.cf"
dt=$(hb_cl alpha hbparameter -p deadtime)
rc=0; out=$(hb_ctl alpha reload 2>&1) || rc=$?
[ "$rc" = 1 ] || hb_fail "reload with a link on a missing interface exited $rc: $out"
case $out in *"reload refused, nothing changed"*"link nosuch0"*) ;; *) hb_fail "reload did not name the bad link: $out" ;; esac
[ "$(hb_cl alpha hbparameter -p deadtime)" = "$dt" ] \
  || hb_fail "a refused reload applied the new deadtime: $(hb_cl alpha hbparameter -p deadtime), was $dt"
[ "$(links_of alpha beta)" = "eth1" ] || hb_fail "a refused reload changed the links: '$(links_of alpha beta)'"
stay_active "refused link"
hb_pass "a link that cannot be opened: reload exit 1 ($(echo "$out" | tail -n1 | sed 's/^ *//')), nothing changed"
LINKS=$ETH1_LINKS

# --- 3. a new deadtime ---------------------------------------------------------------------------
for n in alpha beta; do
  printf '%s\n' "$(hacf 2 4)" > "$HB_T/$n/etc/ha.cf"
  out=$(hb_ctl "$n" reload 2>&1) || hb_fail "reload of deadtime 2 on $n failed: $out"
done
[ "$(hb_cl alpha hbparameter -p deadtime)" = 2 ] || hb_fail "deadtime after reload: $(hb_cl alpha hbparameter -p deadtime)"
both_active || hb_fail "nodes not active after the deadtime reload"
hb_pass "deadtime 2 applied by reload"

# --- 4. a broken authkeys changes nothing --------------------------------------------------------
keys alpha $'auth 2\n2 sha256'
rc=0; out=$(hb_ctl alpha reload 2>&1) || rc=$?
[ "$rc" = 1 ] || hb_fail "hbctl reload of a broken authkeys exited $rc: $out"
case $out in *"reload refused, nothing changed"*authkeys:2:*) ;; *) hb_fail "hbctl reload did not say what is wrong: $out" ;; esac
sleep 1.5
both_active || hb_fail "a refused reload changed something: nodes not active"
keys alpha $'auth 2\n2 sha256 new-secret'
hb_pass "broken authkeys: hbctl reload exit 1 ($(echo "$out" | tail -n1 | sed 's/^ *//')), both still active"

# --- 5. a change that needs a restart is refused as a whole ----------------------------------------
printf '%s\nnode gamma\n' "$(hacf 3 4)" > "$HB_T/alpha/etc/ha.cf"
rc=0; out=$(hb_ctl alpha reload 2>&1) || rc=$?
[ "$rc" = 1 ] || hb_fail "reload with a new node exited $rc: $out"
case $out in *"need a restart"*"the node lines"*) ;; *) hb_fail "reload did not say a restart is needed: $out" ;; esac
[ "$(hb_cl alpha hbparameter -p deadtime)" = 2 ] || hb_fail "a refused reload applied the new deadtime"
hb_pass "a new node by reload: refused as a whole (deadtime kept at 2)"

hb_dual_check
