#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bcast, mcast and ucast UdpLinks between two network namespaces joined by a veth pair (10.x).
# Needs root and `ip netns`; otherwise exits 77 (skipped), except with CI=true, where it fails.
set -u

BUILD=${HB_BUILD:?HB_BUILD is not set}
PROBE="$BUILD/tests/link_probe"
COUNT=20

skip() {
  echo "SKIP: $*"
  if [ "${CI:-}" = "true" ]; then exit 1; fi
  exit 77
}

[ "$(id -u)" -eq 0 ] || skip "needs root"
command -v ip >/dev/null 2>&1 || skip "no ip(8)"
[ -x "$PROBE" ] || { echo "FAIL: $PROBE not built"; exit 99; }

NS1="hblink$$a"
NS2="hblink$$b"
# A 10.x subnet derived from our pid, so parallel runs do not collide.
NET="10.$(( ($$ >> 8) % 200 + 20 )).$(( $$ % 250 + 1 ))"
# shellcheck disable=SC2317  # invoked by the trap
cleanup() {
  ip netns del "$NS1" 2>/dev/null
  ip netns del "$NS2" 2>/dev/null
}
trap cleanup EXIT INT TERM

ip netns add "$NS1" 2>/dev/null || skip "cannot create network namespaces"
ip netns add "$NS2" || exit 99
ip link add veth0 netns "$NS1" type veth peer name veth0 netns "$NS2" || exit 99
ip -n "$NS1" addr add "$NET.1/24" brd + dev veth0 || exit 99
ip -n "$NS2" addr add "$NET.2/24" brd + dev veth0 || exit 99
for ns in "$NS1" "$NS2"; do
  ip -n "$ns" link set lo up
  ip -n "$ns" link set veth0 up
done

failures=0
# run_pair NAME ARGS1 -- ARGS2: both probes at once, each must receive exactly COUNT frames.
run_pair() {
  local name=$1 args1 args2
  shift
  args1=()
  while [ "$1" != "--" ]; do args1+=("$1"); shift; done
  shift
  args2=("$@")
  local out1 out2
  out1=$(mktemp) out2=$(mktemp)
  ip netns exec "$NS1" "$PROBE" --count "$COUNT" "${args1[@]}" >"$out1" &
  local p1=$!
  ip netns exec "$NS2" "$PROBE" --count "$COUNT" "${args2[@]}" >"$out2" &
  local p2=$!
  wait "$p1"; local rc1=$?
  wait "$p2"; local rc2=$?
  local r1 r2
  r1=$(cat "$out1") r2=$(cat "$out2")
  rm -f "$out1" "$out2"
  if [ "$rc1" -eq 0 ] && [ "$rc2" -eq 0 ] &&
     [ "$r1" = "sent $COUNT received $COUNT bad 0" ] &&
     [ "$r2" = "sent $COUNT received $COUNT bad 0" ]; then
    echo "PASS: $name | ns1: $r1 | ns2: $r2"
  else
    echo "FAIL: $name | ns1 (rc $rc1): $r1 | ns2 (rc $rc2): $r2"
    failures=$((failures + 1))
  fi
}

PORT=$(( 20000 + $$ % 20000 ))
run_pair bcast --kind bcast --interface veth0 --port "$PORT" -- \
               --kind bcast --interface veth0 --port "$PORT"
run_pair mcast --kind mcast --interface veth0 --group 239.0.0.42 --port "$PORT" --ttl 1 -- \
               --kind mcast --interface veth0 --group 239.0.0.42 --port "$PORT" --ttl 1
run_pair ucast --kind ucast --interface veth0 --peer "$NET.2" --port "$PORT" -- \
               --kind ucast --interface veth0 --peer "$NET.1" --port "$PORT"
# bcast and mcast links of one interface share udpport (SO_REUSEADDR) at the same time in the
# same namespaces; each must see exactly its own medium's frames, not the other's.
bg1out=$(mktemp) bg2out=$(mktemp)
ip netns exec "$NS1" "$PROBE" --count "$COUNT" --kind bcast --interface veth0 --port "$PORT" \
  >"$bg1out" &
bg1=$!
ip netns exec "$NS2" "$PROBE" --count "$COUNT" --kind bcast --interface veth0 --port "$PORT" \
  >"$bg2out" &
bg2=$!
run_pair "mcast beside bcast" \
  --kind mcast --interface veth0 --group 239.0.0.43 --port "$PORT" -- \
  --kind mcast --interface veth0 --group 239.0.0.43 --port "$PORT"
wait "$bg1" "$bg2"
for f in "$bg1out" "$bg2out"; do
  if [ "$(cat "$f")" = "sent $COUNT received $COUNT bad 0" ]; then
    echo "PASS: bcast beside mcast | $(cat "$f")"
  else
    echo "FAIL: bcast beside mcast | $(cat "$f")"
    failures=$((failures + 1))
  fi
done
rm -f "$bg1out" "$bg2out"

if [ "$failures" -ne 0 ]; then
  echo "$failures case(s) failed"
  exit 1
fi
echo "all link cases passed"
exit 0
