#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# haresources' IPaddr2 and Filesystem with heartbeat's positional arguments run (1) through Debian
# heartbeat's own resource.d wrappers and (2), where no such script exists, through our ocf:hbd
# agents with the arguments mapped to parameters. The group fails over either way.
. "$(dirname "$0")/lib.sh"
hb_require_netns
if [ ! -x /etc/ha.d/resource.d/IPaddr2 ] || [ ! -x /etc/ha.d/resource.d/Filesystem ]; then
  if [ "${CI:-}" = true ]; then hb_log "FAIL (CI): Debian's heartbeat package (resource.d wrappers) is missing"; exit 1; fi
  hb_log "SKIP: Debian's heartbeat package is not installed"; exit 77
fi
hb_bridge alpha beta
VIP="10.$HB_SUBNET.0.100"

run_variant() {  # $1 = heartbeat | ocf-fallback
  local variant=$1 n
  for n in alpha beta; do
    hb_config "$n" "$(hb_pair_hacf off)"
    rm -rf "$HB_T/$n/etc/resource.d"
    hb_marker_agent "$n"
    if [ "$variant" = heartbeat ]; then
      ln -s /etc/ha.d/resource.d/IPaddr2 "$HB_T/$n/etc/resource.d/IPaddr2"
      ln -s /etc/ha.d/resource.d/Filesystem "$HB_T/$n/etc/resource.d/Filesystem"
    fi
    mkdir -p "$HB_T/$n/mnt"
    printf 'alpha IPaddr2::%s/24/eth0 Filesystem::tmpfs::%s::tmpfs marker::A\n' "$VIP" "$HB_T/mnt" \
      > "$HB_T/$n/etc/haresources"
  done
  mkdir -p "$HB_T/mnt"
  hb_start alpha; hb_start beta
  hb_wait 20 test -e "$HB_T/alpha/state/A" || hb_fail "$variant: group did not start on alpha"
  hb_vip_on alpha "$VIP" || hb_fail "$variant: VIP not on alpha"
  grep -q " $HB_T/mnt tmpfs" "/proc/${HB_NODE_PID[alpha]}/mounts" || hb_fail "$variant: tmpfs not mounted for alpha"
  local agents
  agents=$(hb_ctl alpha status --json | python3 -c 'import json,sys
print(" ".join(r["agent"] for g in json.load(sys.stdin)["groups"] for r in g["resources"]))')
  hb_log "$variant: agents as hbd reports them: $agents"
  if [ "$variant" = heartbeat ]; then
    [ "$agents" = "IPaddr2 Filesystem marker" ] || hb_fail "heartbeat: expected the resource.d scripts, got '$agents'"
    grep -q "Running OK\|Success" "$HB_T/alpha/hbd.out" || hb_fail "heartbeat wrappers' output words not seen in the log"
  else
    [ "$agents" = "ocf:hbd:IPaddr ocf:hbd:Filesystem marker" ] || hb_fail "fallback: got '$agents'"
    grep -q "agent=ocf:hbd:IPaddr" "$HB_T/alpha/hbd.out" || hb_fail "IPaddr2 did not fall back to ocf:hbd:IPaddr"
    grep -q "agent=ocf:hbd:Filesystem" "$HB_T/alpha/hbd.out" || hb_fail "Filesystem did not fall back to ocf:hbd:Filesystem"
  fi
  "$HB_BIN/hb_standby" --socket "$HB_T/alpha/run/hbd.sock" all --wait 30 >/dev/null || hb_fail "$variant: standby did not complete"
  hb_vip_on beta "$VIP" || hb_fail "$variant: VIP not on beta after standby"
  hb_vip_on alpha "$VIP" && hb_fail "$variant: VIP still on alpha"
  grep -q " $HB_T/mnt tmpfs" "/proc/${HB_NODE_PID[alpha]}/mounts" && hb_fail "$variant: tmpfs still mounted for alpha"
  grep -q " $HB_T/mnt tmpfs" "/proc/${HB_NODE_PID[beta]}/mounts" || hb_fail "$variant: tmpfs not mounted for beta"
  hb_pass "$variant: IPaddr2 + Filesystem with positional arguments started on alpha, moved to beta"
  hb_stop alpha; hb_stop beta
}

hb_dual_sampler alpha beta "$VIP"
run_variant heartbeat
run_variant ocf-fallback
hb_dual_check
