#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Real ocf:heartbeat:IPaddr2 through the runner inside a network namespace this test creates:
# start adds the address, monitor sees it, stop removes it, monitor says not running (7).
set -u
RUN="${HB_BUILD:?}/tests/hb_agent_run"
skip() { echo "SKIP: $*"; if [ "${CI:-}" = true ]; then exit 1; fi; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }
[ "$(id -u)" = 0 ] || skip "needs root"
[ -x /usr/lib/ocf/resource.d/heartbeat/IPaddr2 ] || skip "resource-agents not installed"
[ -x "$RUN" ] || fail "$RUN not built"
NS="hbag$$"
ip netns add "$NS" 2>/dev/null || skip "ip netns not available"
cleanup() {
  local pids=()
  mapfile -t pids < <(ip netns pids "$NS" 2>/dev/null)  # leftovers of the agents we ran (send_arp)
  [ "${#pids[@]}" -gt 0 ] && kill -9 "${pids[@]}" 2>/dev/null
  ip netns del "$NS" 2>/dev/null
}
trap cleanup EXIT
ip -n "$NS" link set lo up
ip -n "$NS" link add hbv0 type veth peer name hbv1 || fail "veth"
ip -n "$NS" link set hbv0 up
ip -n "$NS" link set hbv1 up
ip -n "$NS" addr add 10.213.7.1/24 dev hbv0

run() {  # run WANT_RC ACTION
  local want=$1 action=$2 out rc
  out=$(ip netns exec "$NS" "$RUN" --resource vip ocf:heartbeat:IPaddr2 "$action" \
        ip=10.213.7.10 cidr_netmask=24 nic=hbv0); rc=$?
  echo "IPaddr2 $action -> rc=$rc: $out"
  [ "$rc" = "$want" ] || fail "IPaddr2 $action exit $rc, expected $want"
}
has_addr() { ip -n "$NS" -o addr show dev hbv0 | grep -q ' 10\.213\.7\.10/24 '; }

run 7 monitor
run 0 start
has_addr || fail "address not added"
run 0 monitor
run 0 stop
has_addr && fail "address not removed"
run 7 monitor
echo PASS
