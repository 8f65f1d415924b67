#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Resource-group benchmarks (not tests: they print numbers). Real hbd processes in network
# namespaces: alpha and beta run the group "VIP + nginx" (preferred node alpha, auto_failback on),
# a client namespace on the same bridge polls http://VIP/ every 20 ms (0.2 s timeout per request).
#
#   HB_BUILD=build-release bash tests/bench/groups_bench.sh [failover|standby|all]
#
#   failover  kill -9 of the active node (hbd and every process in its namespace, link down), at
#             keepalive 100ms/deadtime 500ms and at 30ms/100ms, TRIALS trials each (default 10):
#               outage    client-visible: the last answer from alpha -> the first from beta
#               detect    kill -> beta's "node alpha: is dead" log line
#               dead->VIP beta's failover timeline (hbctl history --json): "declared dead" -> "VIP up"
#               dead->up  the same timeline: "declared dead" -> "group started" (VIP + nginx)
#             targets: outage median < 650 ms at 100ms/500ms, < 250 ms at 30ms/100ms.
#   standby   hb_standby all on the node holding VIP + nginx, alternately alpha and beta:
#               move      the holder's "Going standby" log line -> the peer's "Group ... started"
#               client    the client's last answer from the old node -> first from the new one
#             target: move < 300 ms.
# Each line prints median, p90, min, max in ms. Use a release build without sanitizers:
#   cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=Release -DHB_WERROR=OFF
#   cmake --build build-release -j2 --target hbd cl_status hbctl hb_standby
set -u
. "$(dirname "$0")/../cluster/lib.sh"
hb_require_netns
WHAT=${1:-all}
TRIALS=${TRIALS:-10}
if grep -q '^HB_SANITIZE:STRING=.\+' "$HB_BUILD/CMakeCache.txt" 2>/dev/null; then
  echo "warning: $HB_BUILD is a sanitizer build; timings will be inflated" >&2
fi
command -v nginx >/dev/null || hb_fail "nginx is not installed"

size_of() { stat -c %s "$HB_T/$1/hbd.out"; }

hb_bridge alpha beta client
VIP="10.$HB_SUBNET.0.100"
served_by() { [ "$(hb_http_get client "$VIP")" = "served by $1" ]; }

setup() {  # keepalive deadtime
  local n
  for n in alpha beta; do
    hb_config "$n" "keepalive $1
deadtime $2
warntime $2
initdead 1
realtime on
ucast eth0 ${HB_NODE_IP[alpha]}
ucast eth0 ${HB_NODE_IP[beta]}
auto_failback on
node alpha beta"
    conf=$(hb_nginx_site "$n")
    printf 'alpha IPaddr::%s/24/eth0 ocf:hbd:nginx::configfile=%s\n' "$VIP" "$conf" > "$HB_T/$n/etc/haresources"
  done
  hb_start alpha
  hb_start beta
  hb_wait 20 served_by alpha || hb_fail "client not served by alpha at start"
  hb_expect_nodestatus beta alpha active 10
}

# failover_event MS_FIELD: at_ms of the first event of beta's latest failover timeline whose text
# starts with $1 ("VIP", "group started").
failover_event() {
  hb_ctl beta history --json | python3 -c 'import json,sys
h=[e for e in json.load(sys.stdin)["history"] if "declared dead" in e["trigger"] and e["outcome"]=="started"]
print(next((x["at_ms"] for x in h[-1]["events"] if x["what"].startswith(sys.argv[1])), "")) if h else print("")' "$1"
}

bench_failover() {
  local pair ka dt i
  for pair in "100ms 500ms" "30ms 100ms"; do
    read -r ka dt <<<"$pair"
    setup "$ka" "$dt"
    local outage=() detect=() vip=() up=() served=()
    for i in $(seq 1 "$TRIALS"); do
      local poll="$HB_T/poll-$ka-$i.log" ppid off t0 b e gap td
      hb_http_poller client "$VIP" "$poll"; ppid=$HB_POLLER_PID
      sleep "0.$(( RANDOM % 500 + 500 ))"   # a random phase against the heartbeats
      off=$(size_of beta)
      t0=$(hb_now_ms)
      hb_node_crash alpha "$VIP"
      if ! hb_wait 20 served_by beta; then hb_log "trial $i: beta never served"; kill "$ppid"; continue; fi
      sleep 0.3
      kill "$ppid" 2>/dev/null
      if read -r b e gap < <(hb_http_outage "$poll" "$t0" beta); then
        outage+=("$gap"); served+=($(( e - t0 )))
      else
        hb_log "trial $i: no outage window in the client's polls"
      fi
      td=$(hb_log_ms beta "node alpha: is dead" "$off") && detect+=($(( td - t0 )))
      local v u
      v=$(failover_event "VIP"); [ -n "$v" ] && vip+=("$v")
      u=$(failover_event "group started"); [ -n "$u" ] && up+=("$u")
      # alpha comes back; auto_failback returns the group for the next trial.
      hb_node_boot alpha
      hb_start alpha
      hb_wait 20 served_by alpha || hb_fail "trial $i: no failback to alpha"
      hb_wait 10 hb_nodestatus_is beta alpha active || hb_fail "trial $i: alpha not active again"
    done
    echo "failover keepalive=$ka deadtime=$dt outage (client, last answer -> first answer): $(printf '%s\n' "${outage[@]}" | hb_stats)"
    echo "failover keepalive=$ka deadtime=$dt kill -> first answer from beta:             $(printf '%s\n' "${served[@]}" | hb_stats)"
    echo "failover keepalive=$ka deadtime=$dt kill -> 'is dead' (beta's log):             $(printf '%s\n' "${detect[@]}" | hb_stats)"
    echo "failover keepalive=$ka deadtime=$dt declared dead -> VIP plumbed (history):      $(printf '%s\n' "${vip[@]}" | hb_stats)"
    echo "failover keepalive=$ka deadtime=$dt declared dead -> VIP + nginx started:         $(printf '%s\n' "${up[@]}" | hb_stats)"
    hb_stop alpha
    hb_stop beta
  done
}

bench_standby() {
  setup 100ms 500ms
  local holder=alpha peer=beta i moves=() clients=() waits=() wait_fail=0
  for i in $(seq 1 "$TRIALS"); do
    local poll="$HB_T/poll-standby-$i.log" ppid offh offp t0 ts tu t1 b e gap
    hb_http_poller client "$VIP" "$poll"; ppid=$HB_POLLER_PID
    sleep 0.5
    offh=$(size_of "$holder"); offp=$(size_of "$peer")
    t0=$(hb_now_ms)
    "$HB_BIN/hb_standby" --socket "$HB_T/$holder/run/hbd.sock" all --wait 20 >/dev/null 2>&1 || wait_fail=$((wait_fail + 1))
    t1=$(hb_now_ms)
    hb_wait 20 served_by "$peer" || hb_fail "standby trial $i: $peer never served"
    sleep 0.3
    kill "$ppid" 2>/dev/null
    ts=$(hb_log_ms "$holder" "Going standby \[all\]" "$offh") && tu=$(hb_log_ms "$peer" "Group .* started on $peer" "$offp") &&
      moves+=($(( tu - ts )))
    waits+=($(( t1 - t0 )))
    read -r b e gap < <(hb_http_outage "$poll" "$t0" "$peer") && clients+=("$gap")
    local x=$holder; holder=$peer; peer=$x
  done
  echo "hb_standby all, VIP + nginx: 'Going standby' -> 'Group started' on the peer (logs): $(printf '%s\n' "${moves[@]}" | hb_stats)"
  echo "hb_standby all, VIP + nginx: client gap (last answer -> first from the peer):      $(printf '%s\n' "${clients[@]}" | hb_stats)"
  echo "hb_standby all --wait, VIP + nginx: command duration:                               $(printf '%s\n' "${waits[@]}" | hb_stats) ($wait_fail of $TRIALS exited non-zero)"
  hb_stop alpha
  hb_stop beta
}

case $WHAT in
  failover) bench_failover ;;
  standby) bench_standby ;;
  all) bench_failover; bench_standby ;;
  *) echo "usage: $0 [failover|standby|all]" >&2; exit 2 ;;
esac
