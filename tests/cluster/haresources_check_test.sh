#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Acceptance 6 through the daemon: `hbd --check -c DIR -n NODE` accepts a haresources file that
# uses every grammar form (several groups, ::args, bare IP, backslash continuation, comments,
# ocf:, lsb:, heartbeat:) and Debian heartbeat's sample lines; a malformed line gives
# `FILE:LINE: error: TEXT` and exit 1. No namespaces, no root: label unit.
. "$(dirname "$0")/lib.sh"
[ -x "$HB_BIN/hbd" ] || hb_fail "$HB_BIN/hbd not built"

# mkconf DIR NODES: a minimal valid ha.cf + authkeys (0600) in DIR.
mkconf() {
  mkdir -p "$1/resource.d"
  printf 'keepalive 1\ndeadtime 5\ninitdead 10\nucast eth0 10.9.0.2\nauto_failback on\nnode %s\n' "$2" > "$1/ha.cf"
  printf 'auth 1\n1 sha1 checksecret\n' > "$1/authkeys"
  chmod 600 "$1/authkeys"
}

# check DIR NODE: runs hbd --check, sets OUT and RC.
check() {
  OUT=$("$HB_BIN/hbd" --check -c "$1" -n "$2" 2>&1)
  RC=$?
}

# groups_of DIR: "KEY:N" per group (N = number of primitives), from haresources2cib's model.
groups_of() {
  "$HB_BIN/haresources2cib" "$1/haresources" | python3 -c '
import sys, xml.etree.ElementTree as ET
root = ET.fromstring(sys.stdin.read())
for g in root.iter("group"):
    print(g.get("id") + ":" + str(len(g.findall("primitive"))))'
}

# --- 1. every grammar form -----------------------------------------------------------------
D="$HB_T/all"
mkconf "$D" "alpha beta"
cat > "$D/haresources" <<'EOF'
# A comment line, then a blank line.

alpha 10.9.0.100 marker::A                            # bare IP, script with an argument
alpha	IPaddr::10.9.0.101/24/eth0   ocf:hbd:Dummy::fake=x::op_sleep=0 lsb:nginx   # tabs, ocf: params, lsb:
beta  IPaddr2::10.9.0.102/24/eth0/10.9.0.255 \
      Filesystem::/dev/sdb1::/srv/www::ext3 \
      heartbeat:apache::/etc/apache/httpd.conf
BETA  10.9.0.103/24 drbddisk::r0 marker::B::two   # node names are case-insensitive
beta  ocf:hbd:IPaddr::ip=10.9.0.104::cidr_netmask=24::nic=eth0 ocf:hbd:nginx::configfile=/etc/nginx/nginx.conf
EOF
check "$D" alpha
[ "$RC" = 0 ] || hb_fail "every grammar form: hbd --check exited $RC: $OUT"
echo "$OUT" | grep -q 'error:' && hb_fail "every grammar form: unexpected error: $OUT"
model=$(groups_of "$D")
hb_log "model: $(echo "$model" | tr '\n' ' ')"
[ "$(echo "$model" | wc -l)" = 5 ] || hb_fail "expected 5 groups, got: $model"
# One group per logical line, in file order: 2, 3, 3 (three physical lines joined), 3, 2 resources.
[ "$(echo "$model" | cut -d: -f2 | tr '\n' ' ')" = "2 3 3 3 2 " ] || hb_fail "resources per group: $model"
check "$D" beta
[ "$RC" = 0 ] || hb_fail "the same file for -n beta: exit $RC: $OUT"
hb_pass "every grammar form accepted (exit 0, no error), 5 groups as written"

# --- 2. Debian heartbeat's sample lines ----------------------------------------------------
D="$HB_T/debian"
mkconf "$D" "node1 node2"
cat > "$D/haresources" <<'EOF'
#
#	This is a list of resources that move from machine to machine as
#	nodes go down and come up in the cluster.  Do not include
#	"administrative" or fixed IP addresses in this file.
#
#just.linux-ha.org	135.9.216.110 http
#node1  10.0.0.170 Filesystem::/dev/sda1::/data1::ext2
node1  10.0.0.170 Filesystem::/dev/sda1::/data1::ext2
node1 IPaddr::135.9.8.7/24/eth0 httpd
node2 135.9.216.110 135.9.215.111 135.9.216.112 httpd2
node2  IPaddr::135.9.8.8/24/eth0/135.9.8.210 httpd3
node1 135.9.8.9 135.9.8.10/24 IPaddr::135.9.8.11/24/eth0/135.9.8.210 IPaddr::135.9.8.12 httpd4
node2 10.0.0.171 Filesystem::/dev/sda2::/data2::ext2 apache::/etc/apache/httpd.conf
node1 IPaddr::10.10.10.1/24/eth0 \
      Filesystem::/dev/sdb1::/srv/www::ext3 apache2
node2 192.168.1.10 drbddisk::r0 Filesystem::/dev/drbd0::/srv::ext3 nfs-kernel-server
EOF
check "$D" node1
[ "$RC" = 0 ] || hb_fail "Debian samples: hbd --check exited $RC: $OUT"
echo "$OUT" | grep -q 'error:' && hb_fail "Debian samples: unexpected error: $OUT"
model=$(groups_of "$D")
[ "$(echo "$model" | wc -l)" = 8 ] || hb_fail "Debian samples: expected 8 groups, got: $model"
hb_pass "Debian heartbeat's sample lines accepted, 8 groups"

# --- 3. malformed lines: FILE:LINE: error: and exit 1 ----------------------------------------
# expect_error NAME LINE PATTERN HARESOURCES_TEXT
expect_error() {
  local name=$1 line=$2 pat=$3 text=$4 d="$HB_T/bad-$1"
  mkconf "$d" "alpha beta"
  printf '%s\n' "$text" > "$d/haresources"
  check "$d" alpha
  [ "$RC" = 1 ] || hb_fail "$name: expected exit 1, got $RC: $OUT"
  echo "$OUT" | grep -F -- "$d/haresources:$line: error: " | grep -q -- "$pat" \
    || hb_fail "$name: no '$d/haresources:$line: error: ...$pat...' in: $OUT"
  hb_log "$name -> $(echo "$OUT" | grep -F -- "$d/haresources:$line: error: " | head -1 | sed "s|$d/||")"
}
expect_error unknown-node 3 "gamma" $'# ok so far\nalpha 10.9.0.100\ngamma 10.9.0.101 marker::A'
expect_error duplicate-key 4 "duplicate.*10.9.0.100" \
  $'alpha 10.9.0.100 marker::A\nbeta 10.9.0.101\n\nbeta 10.9.0.100 marker::B'
expect_error duplicate-key-continued 3 "duplicate.*IPaddr::10.9.0.1/24" \
  $'alpha IPaddr::10.9.0.1/24 \\\n  marker::A\nbeta IPaddr::10.9.0.1/24 \\\n  marker::B'
expect_error empty-script 2 "no script name" $'alpha 10.9.0.100\nbeta ::arg marker::B'
expect_error no-resources 2 "no resources" $'alpha 10.9.0.100\nbeta   # only a node'
expect_error empty-ocf-type 1 "ocf:PROVIDER:TYPE" 'alpha ocf:hbd: marker::A'
expect_error bad-netmask 1 "netmask" 'alpha IPaddr::10.9.0.3/33 marker::A'
expect_error ip-as-node 1 "not a node name" '10.9.0.5 marker::A'
# Several bad lines: every one is reported (not just the first), each with its own line.
d="$HB_T/bad-several"
mkconf "$d" "alpha beta"
printf 'alpha 10.9.0.100\ngamma 10.9.0.101\nalpha 10.9.0.100 x\nbeta ::y\n' > "$d/haresources"
check "$d" alpha
[ "$RC" = 1 ] || hb_fail "several: expected exit 1, got $RC"
for l in 2 3 4; do
  echo "$OUT" | grep -q -F "$d/haresources:$l: error: " || hb_fail "several: line $l not reported: $OUT"
done
echo "$OUT" | grep -q -F "$d/haresources:1: error: " && hb_fail "several: line 1 is fine: $OUT"
hb_pass "malformed lines: FILE:LINE: error: TEXT and exit 1 (unknown node, duplicate key, empty resource, ...)"

# A warning alone does not make the file unusable.
d="$HB_T/warn"
mkconf "$d" "alpha beta"
printf 'alpha 10.9.0.100 marker::a::::b\n' > "$d/haresources"
check "$d" alpha
[ "$RC" = 0 ] || hb_fail "warning only: expected exit 0, got $RC: $OUT"
echo "$OUT" | grep -q -F "$d/haresources:1: warning: " || hb_fail "warning only: no warning line: $OUT"
hb_pass "a warning (empty argument) keeps exit 0"
