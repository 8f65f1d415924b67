#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# VRRP failover benchmark (not a test: it prints numbers). hbd (pure VRRP router) and keepalived 2.2.7 in
# network namespaces on a bridge; master priority 150, backup 100, one VIP.
#   HB_BUILD=build bash tests/bench/vrrp_bench.sh [TRIALS]      (default 5 trials per cell)
# Each trial starts both daemons afresh, waits until the master holds the VIP and the backup is BACKUP,
# waits 1 s plus a random part of an advert interval (random phase), kill -9s the master (keepalived:
# parent and VRRP child) and measures until the VIP is local on the backup, polled every 10 ms from
# /proc/<pid in the backup's namespace>/net/fib_trie (no fork per poll).
# Settings: v2 PASS advert 1 s, and v3 advert 0.1 s. Expected (RFC / keepalived): the backup's master-down
# interval minus the phase, i.e. v2 in [2609, 3609] ms, v3 in [261, 361] ms, plus detection latency.
set -u
. "$(dirname "$0")/../cluster/lib.sh"
hb_require_netns
hb_require_keepalived
TRIALS=${1:-${TRIALS:-5}}
hb_bridge m b
hb_anchor b
VIP="10.$HB_SUBNET.0.100"

stats() {  # "median=X min=Y max=Z" (ms) of the numbers on stdin
  sort -n | awk '{a[NR]=$1} END {if (NR==0) {print "n=0"; exit}
    m=(NR%2)?a[(NR+1)/2]:int((a[NR/2]+a[NR/2+1])/2); printf "%5d [%4d-%4d]", m, a[1], a[NR]}'
}

# up KIND NODE PRIO SETTINGS: start hbd or keepalived on NODE
up() {
  local text
  text=$(hb_vrrp_instance VI_1 eth0 51 "$3" "$VIP/24" $4)
  if [ "$1" = hbd ]; then
    hb_vrrp_config "$2" "$text"
    hb_start "$2"
  else
    hb_ka_start "$2" "$text"
  fi
}
is_state() {  # is_state KIND NODE STATE
  if [ "$1" = hbd ]; then [ "$(hb_vrrp "$2" | cut -d' ' -f1)" = "$3" ]; else hb_ka_is "$2" "$3"; fi
}
kill9() { if [ "$1" = hbd ]; then hb_vrrp_kill9 "$2"; else hb_ka_kill9 "$2"; fi; }
down() {  # SIGTERM whatever still runs on NODE, remove the VIP
  if [ "$1" = hbd ]; then
    if kill -0 "${HB_NODE_PID[$2]}" 2>/dev/null; then hb_vrrp_term "$2"; fi
  else
    hb_ka_stop "$2"
  fi
  ip -n "${HB_NODE_NS[$2]}" addr del "$VIP/24" dev eth0 2>/dev/null
  return 0
}

# trial MASTER_KIND BACKUP_KIND SETTINGS PHASE_MS: TRIAL_MS = the failover time in ms ("" on failure)
trial() {
  local mk=$1 bk=$2 set=$3 phase=$4 t0
  TRIAL_MS=""
  up "$bk" b 100 "$set"
  up "$mk" m 150 "$set"
  if ! hb_wait 20 eval "is_state $mk m MASTER && is_state $bk b BACKUP && hb_vip_on m $VIP && ! hb_vip_fast b $VIP"; then
    hb_log "trial $mk->$bk ($set): no stable election" >&2
    down "$mk" m; down "$bk" b; return
  fi
  sleep "$(awk -v r=$((RANDOM % phase)) 'BEGIN { printf "%.3f", 1 + r / 1000 }')"
  t0=${EPOCHREALTIME/./}
  kill9 "$mk" m
  if hb_poll_ms 15 "$t0" hb_vip_fast b "$VIP"; then TRIAL_MS=$HB_POLL_MS; else hb_log "trial $mk->$bk: no failover" >&2; fi
  ip -n "${HB_NODE_NS[m]}" addr del "$VIP/24" dev eth0 2>/dev/null
  down "$bk" b
}

V2="pass=secret12"
V3="version=3 advert=0.1"
declare -A RES=()
for pair in hbd:keepalived keepalived:keepalived keepalived:hbd hbd:hbd; do
  mk=${pair%%:*} bk=${pair##*:}
  for s in v2 v3; do
    if [ "$s" = v2 ]; then set=$V2 ph=1000; else set=$V3 ph=100; fi
    vals=()
    for ((i = 0; i < TRIALS; i++)); do
      trial "$mk" "$bk" "$set" "$ph"
      [ -n "$TRIAL_MS" ] && vals+=("$TRIAL_MS")
    done
    RES[$pair.$s]=$(printf '%s\n' "${vals[@]}" | stats)
    hb_log "$mk -> $bk $s: ${vals[*]} ms"
  done
done

echo
echo "VRRP failover, kill -9 of the master (150) -> VIP local on the backup (100); ms, median [min-max], $TRIALS trials, random phase"
printf '%-26s %-22s %-22s\n' "master -> backup" "v2 PASS, advert 1 s" "v3, advert 0.1 s"
for pair in hbd:keepalived keepalived:keepalived keepalived:hbd hbd:hbd; do
  printf '%-26s %-22s %-22s\n' "${pair%%:*} -> ${pair##*:}" "${RES[$pair.v2]}" "${RES[$pair.v3]}"
done
echo "expected: backup's master-down interval minus the phase: v2 2609-3609 ms, v3 261-361 ms"
