#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Scale benchmark (not a test: it prints numbers). Real hbd processes in network namespaces, one
# bridge; each group is one marker resource preferring the nodes in turn (as groups_scale_test).
#   HB_BUILD=build-release bash tests/bench/scale_bench.sh [NODES GROUPS]...   # TRIALS=3
# Default shapes: 2 nodes x 200 groups and 8 nodes x 60 groups. Per shape, median / min / max in ms:
#   start     first hbd start -> every group started on its preferred node
#   views     -> every node's `hbctl status --json` shows every group started where it runs
#   failover  crash of the first node -> all its groups started on the survivors
#   cpu       hbd CPU time per node from start until all were started (mean over the nodes)
# Use a release build without sanitizers (see docs/operations.md, Benchmarks).
set -u
if [ "${1:-}" = --one ]; then
  # One trial in this process (lib.sh's namespaces and cleanup belong to it).
  . "$(dirname "$0")/../cluster/lib.sh"
  hb_require_netns
  nodes_n=$2 groups_n=$3
  names=()
  for i in $(seq 1 "$nodes_n"); do names+=("n$i"); done
  hb_scale_setup "$groups_n" "${names[@]}"
  t0=$(hb_now_ms)
  for n in "${names[@]}"; do hb_start "$n"; done
  hb_wait 300 hb_scale_is "$groups_n" "$groups_n 0 0 $groups_n" "${names[@]}" || hb_fail "never all started"
  t1=$(hb_now_ms)
  cpu=$(hb_cpu_ms "${names[@]}" | tr ' ' '\n' | awk -F= 'NF == 2 { s += $2; c++ } END { printf "%d", s / c }')
  hb_wait 60 hb_scale_views_all "$groups_n" "${names[@]}" || hb_fail "views never complete"
  t2=$(hb_now_ms)
  tc=$(hb_now_ms)
  hb_node_crash n1
  hb_wait 120 hb_scale_is "$groups_n" "$groups_n 0 0 " "${names[@]:1}" || hb_fail "no failover"
  t3=$(hb_now_ms)
  echo "RESULT $((t1 - t0)) $((t2 - t1)) $((t3 - tc)) $cpu"
  exit 0
fi
TRIALS=${TRIALS:-3}
[ $# -gt 0 ] || set -- 2 200 8 60
while [ $# -ge 2 ]; do
  nodes_n=$1 groups_n=$2; shift 2
  rows=()
  for _ in $(seq 1 "$TRIALS"); do
    r=$(bash "$0" --one "$nodes_n" "$groups_n" 2>/dev/null | awk '$1 == "RESULT" { print $2, $3, $4, $5 }')
    [ -n "$r" ] || { echo "$nodes_n nodes x $groups_n groups: a trial failed" >&2; continue; }
    rows+=("$r")
  done
  printf '%s\n' "${rows[@]}" | python3 -c '
import sys, statistics
rows = [list(map(int, l.split())) for l in sys.stdin if l.strip()]
names = ["start", "views", "failover", "cpu/node"]
print("%s nodes x %s groups (%d trials):" % (sys.argv[1], sys.argv[2], len(rows)))
for i, n in enumerate(names):
    v = [r[i] for r in rows]
    if v: print("  %-9s median %6.0f  min %6d  max %6d  ms" % (n, statistics.median(v), min(v), max(v)))
' "$nodes_n" "$groups_n"
done
