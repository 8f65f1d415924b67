#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Many groups on many nodes: groups_scale_test.sh NODES GROUPS (cluster_groups_scale_2x200: 200 groups
# on 2 nodes; cluster_groups_scale_8x60: 60 groups on 8 nodes on one bridge). Each group is one marker
# resource preferring the nodes in turn. Checks that every group starts on exactly its preferred
# node and that every node's status shows the whole cluster's state (the reports of all groups
# reach every node); then the first node crashes and its groups start elsewhere, each on exactly
# one node; it returns and auto_failback brings them back. No group is ever held by two nodes at
# once (from the agents' own start/stop log). The times are printed, not asserted.
. "$(dirname "$0")/lib.sh"
hb_require_netns
NODES=${1:-2}
GROUPS_N=${2:-200}
names=()
for i in $(seq 1 "$NODES"); do names+=("n$i"); done
hb_scale_setup "$GROUPS_N" "${names[@]}"

all_preferred() { hb_scale_is "$GROUPS_N" "$GROUPS_N 0 0 $GROUPS_N" "$@"; }
all_once() { hb_scale_is "$GROUPS_N" "$GROUPS_N 0 0 " "$@"; }
no_dual() { local r; r=$(hb_scale_state "$GROUPS_N" "${names[@]}"); [ "$(cut -d' ' -f2 <<<"$r")" = 0 ]; }
# wait_for SECONDS CMD...: like hb_wait, but also fails at once if any group is on two nodes.
wait_for() {
  local end=$(( $(date +%s) + $1 )); shift
  while [ "$(date +%s)" -lt "$end" ]; do
    no_dual || hb_fail "a group runs on two nodes: $(hb_scale_state "$GROUPS_N" "${names[@]}")"
    "$@" && return 0
    sleep 0.1
  done
  return 1
}

t0=$(hb_now_ms)
for n in "${names[@]}"; do hb_start "$n"; done
wait_for 180 all_preferred "${names[@]}" \
  || hb_fail "not all started on their preferred node (one dual none preferred: $(hb_scale_state "$GROUPS_N" "${names[@]}"))"
t1=$(hb_now_ms)
hb_pass "$GROUPS_N groups on $NODES nodes: all started, each on its preferred node, $((t1 - t0)) ms after the first hbd start"
hb_log "hbd CPU time per node so far: $(hb_cpu_ms "${names[@]}")"
hb_wait 30 hb_scale_views_all "$GROUPS_N" "${names[@]}" \
  || hb_fail "only $(hb_scale_views "$GROUPS_N" "${names[@]}") of $NODES nodes show every group where it runs"
t2=$(hb_now_ms)
hb_pass "every node's status shows all $GROUPS_N groups started where they run ($((t2 - t1)) ms later)"

# The first node crashes: its groups start on the others.
survivors=("${names[@]:1}")
tc=$(hb_now_ms)
hb_node_crash n1
hb_marker_crash n1
wait_for 120 all_once "${survivors[@]}" \
  || hb_fail "after n1 crashed, not all groups run once (one dual none preferred: $(hb_scale_state "$GROUPS_N" "${survivors[@]}"))"
t3=$(hb_now_ms)
hb_pass "n1 crashed: all $GROUPS_N groups run, each on one survivor, $((t3 - tc)) ms after the crash"

# n1 returns: auto_failback on moves its groups back (stop there before start here).
hb_node_boot n1
tb=$(hb_now_ms)
hb_start n1
wait_for 180 all_preferred "${names[@]}" \
  || hb_fail "after n1 returned, not all on their preferred node (one dual none preferred: $(hb_scale_state "$GROUPS_N" "${names[@]}"))"
t4=$(hb_now_ms)
hb_pass "n1 returned: its groups are back, every group on its preferred node, $((t4 - tb)) ms after its start"
hb_wait 30 hb_scale_views_all "$GROUPS_N" "${names[@]}" \
  || hb_fail "after failback only $(hb_scale_views "$GROUPS_N" "${names[@]}") of $NODES nodes show every group where it runs"
grep -h ": is dead" "$HB_T"/n*/hbd.out | grep -v "node n1" && hb_fail "a node other than n1 was declared dead"
hb_log "hbd CPU time per node at the end: $(hb_cpu_ms "${names[@]}")"
hb_marker_dual_check
