#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Membership benchmarks (not tests: they print numbers). Real hbd processes in network namespaces.
#   HB_BUILD=build-release bash tests/bench/membership_bench.sh [detect|footprint|scale|stress|all]
#   detect     kill -9 -> "is dead" latency, 20 trials at 100ms/500ms and at 30ms/100ms (median, p90)
#   footprint  idle RSS and CPU of one hbd at keepalive 1s and 200ms (30 s each)
#   scale      16 nodes on one bridge at 200ms/1s: time to full membership, false deaths over 60 s
#   stress     2 nodes at 100ms/500ms for 60 s with both cores saturated: false deaths
# Use a release build (sanitizers inflate RSS and CPU): cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release
set -u
. "$(dirname "$0")/../cluster/lib.sh"
hb_require_netns
WHAT=${1:-all}
TRIALS=${TRIALS:-20}

pair_config() {  # keepalive deadtime
  for n in alpha beta; do
    hb_config "$n" "keepalive $1
deadtime $2
warntime $2
initdead $2
realtime on
ucast eth0 ${HB_NODE_IP[alpha]}
ucast eth0 ${HB_NODE_IP[beta]}
node alpha beta"
  done
}

bench_detect() {
  [ -n "${HB_NODE_NS[alpha]:-}" ] || hb_pair alpha beta
  local ka dt
  for pair in "100ms 500ms" "30ms 100ms"; do
    read -r ka dt <<<"$pair"
    pair_config "$ka" "$dt"
    hb_start alpha
    local results=()
    local i
    for i in $(seq 1 "$TRIALS"); do
      hb_start beta
      hb_wait 10 hb_nodestatus_is alpha beta active || { hb_log "beta never active"; continue; }
      # a random phase relative to beta's heartbeats
      sleep "0.$(( RANDOM % 900 + 100 ))"
      local off; off=$(stat -c %s "$HB_T/alpha/hbd.out")
      local t0; t0=$(hb_now_ms)
      hb_kill9 beta
      hb_wait 5 hb_nodestatus_is alpha beta dead || { hb_log "trial $i: not detected"; continue; }
      local t1; t1=$(hb_log_ms alpha "node beta: is dead" "$off") || t1=$(hb_now_ms)
      results+=($(( t1 - t0 )))
    done
    echo "detect keepalive=$ka deadtime=$dt: $(printf '%s\n' "${results[@]}" | hb_stats) (ms, kill -9 -> 'is dead' log line)"
    hb_stop alpha
  done
}

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
sched_ns() { awk '{print $1}' "/proc/$1/schedstat"; }

bench_footprint() {
  [ -n "${HB_NODE_NS[alpha]:-}" ] || hb_pair alpha beta
  for ka in 1 200ms; do
    local dt=1
    [ "$ka" = 1 ] && dt=5
    pair_config "$ka" "$dt"
    hb_start alpha; hb_start beta
    hb_wait 10 hb_nodestatus_is alpha beta active || hb_fail "not active"
    sleep 2
    local pid=${HB_NODE_PID[alpha]} n0 n1
    n0=$(sched_ns "$pid")
    sleep 30
    n1=$(sched_ns "$pid")
    local rss pss; rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
    pss=$(awk '/^Pss:/ {print $2}' "/proc/$pid/smaps_rollup")
    local procs; procs=$(ls "/proc/$pid/task" | wc -l)
    echo "footprint keepalive=$ka: processes=1 threads=$procs VmRSS=${rss} kB ($(awk "BEGIN{printf \"%.2f\", $rss/1024}") MiB) PSS=${pss} kB" \
         "CPU=$(awk "BEGIN{printf \"%.3f\", ($n1-$n0)/30e9*100}")% of one core over 30 s"
    hb_stop alpha; hb_stop beta
  done
}

bench_scale() {
  local nodes=() i
  for i in $(seq 1 16); do nodes+=("s$i"); done
  hb_bridge "${nodes[@]}"
  for n in "${nodes[@]}"; do
    hb_config "$n" "keepalive 200ms
deadtime 1
initdead 2
bcast eth0
node ${nodes[*]}"
  done
  local t0; t0=$(hb_now_ms)
  for n in "${nodes[@]}"; do hb_start "$n"; done
  all_active() {
    local n
    for n in "${nodes[@]}"; do
      local st; st=$(hb_ctl "$n" status --json 2>/dev/null) || return 1
      [ "$(grep -o '"state": *"active"' <<<"$st" | wc -l)" -ge 16 ] || return 1
    done
  }
  hb_wait 60 all_active || hb_fail "16 nodes never all active"
  local t1; t1=$(hb_now_ms)
  echo "scale 16 nodes bcast 200ms/1s: every node sees every other active $(( t1 - t0 )) ms after the first start"
  sleep 60
  local deaths; deaths=$(cat "$HB_T"/s*/hbd.out | grep -c ": is dead")
  echo "scale 16 nodes: false deaths over 60 s = $deaths"
}

bench_stress() {
  [ -n "${HB_NODE_NS[alpha]:-}" ] || hb_pair alpha beta
  pair_config 100ms 500ms
  hb_start alpha; hb_start beta
  hb_wait 10 hb_nodestatus_is alpha beta active || hb_fail "not active"
  local burners=()
  for _ in $(seq 1 "$(( $(nproc) * 2 ))"); do
    ( while :; do :; done ) &
    burners+=($!); HB_PIDS+=($!)
  done
  sleep 60
  kill "${burners[@]}" 2>/dev/null
  local deaths late
  deaths=$(cat "$HB_T"/alpha/hbd.out "$HB_T"/beta/hbd.out | grep -c ": is dead")
  late=$(cat "$HB_T"/alpha/hbd.out "$HB_T"/beta/hbd.out | grep -c "Late heartbeat")
  echo "stress 2 nodes 100ms/500ms, $(nproc) cores saturated by ${#burners[@]} busy loops for 60 s: false deaths=$deaths late heartbeats=$late"
  hb_stop alpha; hb_stop beta
}

case $WHAT in
  detect) bench_detect ;;
  footprint) bench_footprint ;;
  scale) bench_scale ;;
  stress) bench_stress ;;
  all) bench_detect; bench_footprint; bench_stress; bench_scale ;;
  *) echo "usage: $0 [detect|footprint|scale|stress|all]" >&2; exit 2 ;;
esac
