#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Acceptance 2: a group VIP + nginx runs on alpha and serves a client on the bridge; alpha dies
# (kill -9 hbd, every process in its namespace killed, its link down): beta starts the whole
# group in order (IPaddr, then nginx) and the client is served again, by beta.
. "$(dirname "$0")/lib.sh"
hb_require_netns
command -v nginx >/dev/null || hb_fail "nginx is not installed (tests/deps.sh installs nginx-light)"
hb_bridge alpha beta client
VIP="10.$HB_SUBNET.0.100"
for n in alpha beta; do
  hb_config "$n" "$(hb_pair_hacf off)"
  conf=$(hb_nginx_site "$n")
  # The same line on both nodes: hbd on each node sees its own nginx.conf at that path (hb_start).
  printf 'alpha IPaddr::%s/24/eth0 ocf:hbd:nginx::configfile=%s\n' "$VIP" "$conf" > "$HB_T/$n/etc/haresources"
done

hb_start alpha
hb_start beta
hb_wait 20 hb_vip_on alpha "$VIP" || hb_fail "VIP not on alpha"
served_by() { [ "$(hb_http_get client "$VIP")" = "served by $1" ]; }
hb_wait 20 served_by alpha || hb_fail "client not served by alpha: '$(hb_http_get client "$VIP")'"
hb_wait 10 hb_group_is beta "IPaddr::$VIP/24/eth0" state started \
  || hb_fail "beta does not see the group started: $(hb_group_field beta "IPaddr::$VIP/24/eth0" state)"
[ "$(hb_group_field beta "IPaddr::$VIP/24/eth0" owner)" = alpha ] || hb_fail "beta sees owner $(hb_group_field beta "IPaddr::$VIP/24/eth0" owner)"
hb_vip_on beta "$VIP" && hb_fail "VIP on beta too"
hb_pass "group VIP + nginx runs on alpha; the client is served by alpha"

hb_dual_sampler alpha beta "$VIP"
POLL="$HB_T/poll.log"
hb_http_poller client "$VIP" "$POLL"
# Wait for the poller's first answers from alpha (a fixed sleep raced a slow python start on a
# loaded machine: every recorded poll then came after the failover, and no outage was seen).
poller_saw_alpha() { [ "$(grep -c 'served by alpha' "$POLL" 2>/dev/null)" -ge 5 ]; }
hb_wait 20 poller_saw_alpha || hb_fail "the poller never saw alpha"
t0=$(hb_now_ms)
hb_node_crash alpha "$VIP"
hb_log "alpha crashed (hbd and every process killed, eth0 down)"
hb_wait 20 served_by beta || hb_fail "client not served by beta after alpha died: '$(hb_http_get client "$VIP")'"
hb_log "client served by beta $(( $(hb_now_ms) - t0 )) ms after the crash"
hb_vip_on beta "$VIP" || hb_fail "VIP not on beta"
pgrep_ns() { local p; for p in $(ip netns pids "${HB_NODE_NS[$1]}"); do [ "$(cat /proc/"$p"/comm 2>/dev/null)" = "$2" ] && return 0; done; return 1; }
pgrep_ns beta nginx || hb_fail "no nginx process in beta's namespace"
hb_wait 5 hb_group_is beta "IPaddr::$VIP/24/eth0" owner beta || hb_fail "owner is not beta"
[ "$(hb_group_field beta "IPaddr::$VIP/24/eth0" state)" = started ] || hb_fail "group state on beta: $(hb_group_field beta "IPaddr::$VIP/24/eth0" state)"
[ "$(hb_cl beta rscstatus)" = foreign ] || hb_fail "rscstatus on beta: $(hb_cl beta rscstatus)"

# Order: the failover timeline on beta starts IPaddr, then nginx, and nothing fails.
order=$(hb_ctl beta history --json | python3 -c 'import json,sys
h=[e for e in json.load(sys.stdin)["history"] if "declared dead" in e["trigger"] and e["outcome"]=="started"]
ev=[x["what"] for x in h[-1]["events"]] if h else []
print(",".join(w.split()[1].split("_")[0] for w in ev if w.startswith("start ")) + " " + ("FAILED" if any(" failed" in w or "rc=0" not in w for w in ev if w.startswith("start ")) else "ok"))')
[ "$order" = "IPaddr,nginx ok" ] || hb_fail "failover timeline on beta: '$order': $(hb_ctl beta history)"
hb_pass "beta started the whole group in order (IPaddr, nginx) and serves the client"

read -r b e gap < <(hb_http_outage "$POLL" "$t0" beta) || true
[ "${gap:--1}" -gt 0 ] || hb_fail "no outage window found in the client's polls (begin=${b:-} end=${e:-})"
hb_log "client-visible outage: first failed poll +$(( b - t0 )) ms, served by beta again +$(( e - t0 )) ms after the crash, gap between OK polls ${gap} ms"
# Generous bound: deadtime 500 ms + agents; a loaded machine must not make this flaky.
[ "$gap" -lt 10000 ] || hb_fail "outage of ${gap} ms"
grep -q "served by alpha" "$POLL" || hb_fail "the poller never saw alpha"
hb_ctl beta history | tail -n 12
hb_pass "client outage measured: ${gap} ms"
hb_dual_check
