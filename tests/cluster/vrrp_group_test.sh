#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# VRRP acceptance 6: resource groups that follow a VRRP instance. Two hbd nodes with heartbeat membership
# (ha.cf, ucast, `node alpha beta`; authkeys 0600) and vrrp.conf (VI_1, v2 PASS @1 s: alpha 150 with a
# vrrp_script weight -60, beta 100), haresources `vrrp:VI_1 marker::M ocf:hbd:nginx::configfile=...`
# (nginx on 0.0.0.0:80 with a page naming the node), a client on the bridge polling http://VIP/.
#  1. alpha MASTER: the group (M, then nginx) runs on alpha only; the client is served by alpha.
#  2. alpha's priority drops (script fails, 90 < 100): beta preempts; alpha stops nginx then M, beta starts
#     M then nginx; the client is served by beta.
#  3. the script recovers: alpha preempts back and the group follows it.
#  4. alpha crashes (kill -9 of hbd and every process in its namespace, link down): beta becomes MASTER
#     and runs the group; the client is served by beta.
. "$(dirname "$0")/lib.sh"
hb_require_netns
command -v nginx >/dev/null || hb_fail "nginx is not installed (tests/deps.sh installs nginx-light)"
hb_bridge alpha beta client
VIP="10.$HB_SUBNET.0.100"
KEY="marker::M"
for n in alpha beta; do
  hb_config "$n" "$(hb_pair_hacf off)"
  hb_marker_agent "$n"
  conf=$(hb_nginx_site "$n")
  printf 'vrrp:VI_1 marker::M ocf:hbd:nginx::configfile=%s\n' "$conf" > "$HB_T/$n/etc/haresources"
done
hb_vrrp_config alpha "$(hb_vrrp_script chk_fail "test ! -e $HB_T/alpha/fail" -60)
$(hb_vrrp_instance VI_1 eth0 51 150 "$VIP/24" pass=secret12 track=chk_fail)"
hb_vrrp_config beta "$(hb_vrrp_instance VI_1 eth0 51 100 "$VIP/24" pass=secret12)"
[ "$(stat -c %a "$HB_T/alpha/etc/authkeys")" = 600 ] || hb_fail "authkeys is not 0600"

pgrep_ns() { local p; for p in $(ip netns pids "${HB_NODE_NS[$1]}"); do [ "$(cat /proc/"$p"/comm 2>/dev/null)" = "$2" ] && return 0; done; return 1; }
served_by() { [ "$(hb_http_get client "$VIP")" = "served by $1" ]; }
# runs_on NODE: the group is started on NODE (marker state, nginx, VIP, group state) and on no other node.
runs_on() {
  local other=beta; [ "$1" = beta ] && other=alpha
  [ -e "$HB_T/$1/state/M" ] && [ ! -e "$HB_T/$other/state/M" ] && pgrep_ns "$1" nginx && ! pgrep_ns "$other" nginx \
    && hb_vip_on "$1" "$VIP" && ! hb_vip_on "$other" "$VIP" && hb_group_is "$1" "$KEY" local_state started
}
# last_starts NODE: resources started by NODE's last timeline that started something, in order.
last_starts() {
  hb_ctl "$1" history --json | python3 -c 'import json,sys
h=[e for e in json.load(sys.stdin)["history"] if any(x["what"].startswith("start ") for x in e["events"])]
ev=[x["what"] for x in h[-1]["events"]] if h else []
print(",".join(w.split()[1].split("_")[0] for w in ev if w.startswith("start ")) + " " + ("FAILED" if any("rc=0" not in w for w in ev if w.startswith("start ")) else "ok"))'
}
# marker events after line N of markers.log
markers_after() { hb_markers | tail -n +"$(( $1 + 1 ))" | tr '\n' ';'; }

hb_start alpha
hb_start beta
hb_wait 15 hb_vrrp_is alpha "MASTER 150" || hb_vrrp_fail "alpha is '$(hb_vrrp alpha)', expected 'MASTER 150'"
hb_wait 5 hb_vrrp_is beta "BACKUP 100" || hb_vrrp_fail "beta is '$(hb_vrrp beta)', expected 'BACKUP 100'"
hb_expect_nodestatus alpha beta active 15
hb_wait 15 runs_on alpha || hb_vrrp_fail "the group does not run on alpha alone: $(hb_markers | tr '\n' ';')"
hb_wait 10 served_by alpha || hb_vrrp_fail "client not served by alpha: '$(hb_http_get client "$VIP")'"
[ "$(hb_markers | tr '\n' ';')" = "alpha start M;" ] || hb_vrrp_fail "marker events: $(hb_markers | tr '\n' ';')"
[ "$(last_starts alpha)" = "marker,nginx ok" ] || hb_vrrp_fail "alpha's start timeline: '$(last_starts alpha)'"
hb_group_is beta "$KEY" local_state stopped || hb_vrrp_fail "beta's group: $(hb_group_field beta "$KEY" local_state)"
hb_pass "1. alpha MASTER 150: the group runs on alpha only (M, then nginx); the client is served by alpha"

POLL="$HB_T/poll.log"
hb_http_poller client "$VIP" "$POLL" >/dev/null
sleep 0.5
n0=$(hb_markers | wc -l)
t0=$(hb_now_ms)
touch "$HB_T/alpha/fail"
hb_wait 15 hb_vrrp_is beta "MASTER 100" || hb_vrrp_fail "beta did not preempt alpha at 90: beta '$(hb_vrrp beta)'"
hb_wait 5 hb_vrrp_is alpha "BACKUP 90" || hb_vrrp_fail "alpha is '$(hb_vrrp alpha)', expected 'BACKUP 90'"
hb_wait 15 runs_on beta || hb_vrrp_fail "the group did not move to beta: $(markers_after "$n0")"
hb_wait 10 served_by beta || hb_vrrp_fail "client not served by beta: '$(hb_http_get client "$VIP")'"
hb_log "priority drop -> client served by beta $(( $(hb_now_ms) - t0 )) ms after the script started failing"
ev=$(markers_after "$n0")
[ "$ev" = "alpha stop M;beta start M;" ] || [ "$ev" = "beta start M;alpha stop M;" ] || hb_vrrp_fail "marker events: $ev"
[ "$(last_starts beta)" = "marker,nginx ok" ] || hb_vrrp_fail "beta's start timeline: '$(last_starts beta)'"
stops=$(hb_ctl alpha history --json | python3 -c 'import json,sys
h=[e for e in json.load(sys.stdin)["history"] if any(x["what"].startswith("stop ") for x in e["events"])]
print(",".join(x["what"].split()[1].split("_")[0] for x in h[-1]["events"] if x["what"].startswith("stop ")) if h else "")')
[ "$stops" = "nginx,marker" ] || hb_vrrp_fail "alpha's stop timeline: '$stops' (expected nginx, then M)"
hb_pass "2. alpha's priority dropped to 90: beta MASTER, alpha stopped nginx then M, beta started M then nginx"

n0=$(hb_markers | wc -l)
t0=$(hb_now_ms)
rm -f "$HB_T/alpha/fail"
hb_wait 15 hb_vrrp_is alpha "MASTER 150" || hb_vrrp_fail "alpha did not preempt back: '$(hb_vrrp alpha)'"
hb_wait 15 runs_on alpha || hb_vrrp_fail "the group did not move back to alpha: $(markers_after "$n0")"
hb_wait 10 served_by alpha || hb_vrrp_fail "client not served by alpha again"
hb_log "script recovered -> client served by alpha $(( $(hb_now_ms) - t0 )) ms later"
hb_vrrp_is beta "BACKUP 100" || hb_vrrp_fail "beta is '$(hb_vrrp beta)'"
hb_pass "3. alpha's priority restored: alpha preempted back and the group followed"

n0=$(hb_markers | wc -l)
t0=$(hb_now_ms)
hb_node_crash alpha "$VIP"
hb_log "alpha crashed (hbd and every process killed, eth0 down)"
hb_wait 15 hb_vrrp_is beta "MASTER 100" || hb_vrrp_fail "beta is '$(hb_vrrp beta)' after alpha crashed"
hb_wait 15 served_by beta || hb_vrrp_fail "client not served by beta after alpha crashed"
ms=$(( $(hb_now_ms) - t0 ))
[ -e "$HB_T/beta/state/M" ] && pgrep_ns beta nginx && hb_vip_on beta "$VIP" || hb_vrrp_fail "the group is not on beta"
hb_group_is beta "$KEY" local_state started || hb_vrrp_fail "beta's group: $(hb_group_field beta "$KEY" local_state)"
[ "$(markers_after "$n0")" = "beta start M;" ] || hb_vrrp_fail "marker events: $(markers_after "$n0")"
hb_log "alpha crash -> client served by beta after $ms ms (beta's master-down 3609 ms)"
read -r _ _ gap < <(hb_http_outage "$POLL" "$t0" beta) || true
hb_log "client-visible outage after the crash: gap between OK polls ${gap:-?} ms"
[ "${gap:--1}" -gt 0 ] && [ "$gap" -lt 10000 ] || hb_vrrp_fail "client outage '${gap:-}' ms"
hb_pass "4. alpha crashed: beta MASTER runs the group; client served by beta after $ms ms"
