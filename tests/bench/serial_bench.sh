#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Serial link benchmarks (not tests: they print numbers). Two hbd in network namespaces joined ONLY
# by a serial link (a socat pty pair; a pty does not pace bytes at the baud rate, so latencies are
# those of hbd, not of a real 19200 baud line).
#   HB_BUILD=build-release bash tests/bench/serial_bench.sh [bytes|detect|all]
#   bytes    bytes per second each node sends on the serial link at keepalive 1s and 100ms
#            (hbctl status --json links bytes_sent/frames_sent over a measured interval), with the
#            wire bytes (COBS + CRC-32 + delimiters) and the share of a 19200 baud line they use
#   detect   kill -9 of the peer's hbd -> "node X: is dead" log line in the survivor's hbd.out,
#            TRIALS trials (default 10) at KEEPALIVE (200ms) / DEADTIME (2) (median, p90)
set -u
. "$(dirname "$0")/../cluster/lib.sh"
hb_require_netns
command -v socat >/dev/null || { hb_log "SKIP: no socat"; exit 77; }
WHAT=${1:-all}
TRIALS=${TRIALS:-10}
BAUD=19200
TTY_A=$HB_T/ttyA TTY_B=$HB_T/ttyB

setup() {
  hb_ns alpha
  hb_ns beta
  socat pty,raw,echo=0,link="$TTY_A" pty,raw,echo=0,link="$TTY_B" 2>>"$HB_T/socat.log" &
  HB_PIDS+=($!)
  hb_wait 5 test -e "$TTY_A" -a -e "$TTY_B" || hb_fail "socat did not create the ptys"
}

serial_config() {  # keepalive deadtime
  local n dev
  for n in alpha beta; do
    if [ "$n" = alpha ]; then dev=$TTY_A; else dev=$TTY_B; fi
    hb_config "$n" "keepalive $1
deadtime $2
warntime $2
initdead $2
realtime on
baud $BAUD
serial $dev
auto_failback off
node alpha beta"
  done
}

# link_counters NODE: "bytes_sent frames_sent" of the node's serial link
link_counters() {
  hb_ctl "$1" status --json | python3 -c 'import json,sys
l=json.load(sys.stdin)["links"][0]; print(l["bytes_sent"], l["frames_sent"])'
}

bench_bytes() {
  local ka dt secs
  for cfg in "1000ms 5 30" "100ms 1 15"; do
    read -r ka dt secs <<<"$cfg"
    serial_config "$ka" "$dt"
    hb_start alpha; hb_start beta
    hb_wait 15 hb_nodestatus_is alpha beta active || hb_fail "beta never active"
    hb_wait 15 hb_nodestatus_is beta alpha active || hb_fail "alpha never active"
    sleep 2
    local n b0 f0 b1 f1 t0 t1
    declare -A B0 F0 T0
    for n in alpha beta; do read -r B0[$n] F0[$n] <<<"$(link_counters "$n")"; T0[$n]=$(hb_now_ms); done
    sleep "$secs"
    for n in alpha beta; do
      read -r b1 f1 <<<"$(link_counters "$n")"; t1=$(hb_now_ms)
      b0=${B0[$n]} f0=${F0[$n]} t0=${T0[$n]}
      awk -v n="$n" -v ka="$ka" -v db=$(( b1 - b0 )) -v df=$(( f1 - f0 )) -v ms=$(( t1 - t0 )) -v baud=$BAUD 'BEGIN {
        s = ms / 1000; per = (df ? db / df : 0)
        # wire: payload + CRC-32 (4) + COBS code bytes (1 per 254) + 2 delimiters
        wire = db + df * (4 + 2) + df * (1 + int((per + 4) / 254))
        printf "bytes keepalive=%s node=%s: %.1f B/s payload (%d frames in %.1f s, %.0f B/frame), %.1f B/s on the wire = %.2f%% of %d baud (%d B/s)\n",
          ka, n, db / s, df, s, per, wire / s, 100 * wire / s / (baud / 10), baud, baud / 10 }'
    done
    hb_stop alpha; hb_stop beta
    rm -f "$HB_T"/*/run/hbd.sock
  done
}

bench_detect() {
  local ka=${KEEPALIVE:-200ms} dt=${DEADTIME:-2}
  serial_config "$ka" "$dt"
  hb_start alpha
  local results=() i
  for i in $(seq 1 "$TRIALS"); do
    hb_start beta
    hb_wait 15 hb_nodestatus_is alpha beta active || { hb_log "trial $i: beta never active"; hb_kill9 beta; continue; }
    # a random phase relative to beta's heartbeats
    sleep "$(( RANDOM % 2 + 1 )).$(( RANDOM % 900 + 100 ))"
    local off; off=$(stat -c %s "$HB_T/alpha/hbd.out")
    local t0; t0=$(hb_now_ms)
    hb_kill9 beta
    hb_wait 15 hb_nodestatus_is alpha beta dead || { hb_log "trial $i: not detected"; continue; }
    local t1; t1=$(hb_log_ms alpha "node beta: is dead" "$off") || t1=$(hb_now_ms)
    results+=($(( t1 - t0 )))
  done
  echo "detect serial only keepalive=$ka deadtime=$dt: $(printf '%s\n' "${results[@]}" | hb_stats) (ms, kill -9 -> 'is dead' log line)"
  echo "detect trials (ms): ${results[*]}"
  hb_stop alpha
}

setup
case $WHAT in
  bytes) bench_bytes ;;
  detect) bench_detect ;;
  all) bench_bytes; bench_detect ;;
  *) echo "usage: $0 [bytes|detect|all]" >&2; exit 2 ;;
esac
