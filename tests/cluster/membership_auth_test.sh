#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Two nodes over ucast become active with each auth method (crc, md5, sha1, sha256); cl_status words.
. "$(dirname "$0")/lib.sh"
hb_require_netns
hb_pair alpha beta

for method in crc md5 sha1 sha256; do
  insecure=""
  case $method in crc) keys=$'auth 3\n3 crc'; insecure="auth_insecure_ok yes" ;; *) keys=$'auth 2\n2 '"$method"' s3cr3t-'"$method" ;; esac
  for n in alpha beta; do
    hb_config "$n" "$insecure
keepalive 100ms
deadtime 500ms
warntime 300ms
initdead 1
udpport 694
ucast eth0 ${HB_NODE_IP[alpha]}
ucast eth0 ${HB_NODE_IP[beta]}
auto_failback off
node alpha beta" "$keys"
  done
  hb_start alpha
  hb_start beta
  hb_expect_nodestatus alpha beta active 10
  hb_expect_nodestatus beta alpha active 10
  [ "$(hb_cl alpha hblinkstatus beta eth0)" = up ] || hb_fail "$method: link eth0 not up"
  hb_pass "$method: both nodes active"
  hb_stop alpha
  hb_stop beta
done

# cl_status words and exit codes (heartbeat's)
hb_start alpha
hb_start beta
hb_expect_nodestatus alpha beta active 10
out=$(hb_cl alpha hbstatus); rc=$?
[ "$out" = "Heartbeat is running on this machine." ] && [ $rc = 0 ] || hb_fail "hbstatus: '$out' rc=$rc"
[ "$(hb_cl alpha listnodes | sort | tr '\n' ' ')" = "alpha beta " ] || hb_fail "listnodes"
[ "$(hb_cl alpha nodetype beta)" = normal ] || hb_fail nodetype
[ "$(hb_cl alpha listhblinks beta)" = $'\teth0' ] || hb_fail "listhblinks: $(hb_cl alpha listhblinks beta | od -c)"
[ "$(hb_cl alpha hbparameter -p keepalive)" = 100ms ] || hb_fail "hbparameter keepalive: $(hb_cl alpha hbparameter -p keepalive)"
hb_cl alpha nodestatus nosuchnode >/dev/null 2>&1; [ $? = 11 ] || hb_fail "unknown node must exit 11"
hb_cl alpha bogus >/dev/null 2>&1; [ $? = 11 ] || hb_fail "invalid sub-command must exit 11"
hb_cl alpha hblinkstatus beta nosuchlink >/dev/null 2>&1; [ $? = 13 ] || hb_fail "unknown link must exit 13"
# The control socket is root:haclient 0660: anybody else is refused.
mode=$(stat -c %a "$HB_T/alpha/run/hbd.sock")
[ "$mode" = 660 ] || hb_fail "control socket mode $mode, expected 660"
chmod 755 "$HB_T" "$HB_T/alpha" "$HB_T/alpha/run"
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$HB_BIN/cl_status" --socket "$HB_T/alpha/run/hbd.sock" hbstatus)
[ "$out" = "Heartbeat is apparently running on this machine, but refuses my connection" ] || hb_fail "nobody: '$out'"
setpriv --reuid=65534 --regid=65534 --clear-groups "$HB_BIN/cl_status" --socket "$HB_T/alpha/run/hbd.sock" \
  nodestatus beta >/dev/null 2>&1 && hb_fail "user nobody could read node status"
hb_pass "control socket refuses other users"
hb_stop alpha
out=$(hb_cl alpha hbstatus); rc=$?
[ "$out" = "Heartbeat is stopped on this machine." ] && [ $rc = 1 ] || hb_fail "hbstatus stopped: '$out' rc=$rc"
hb_expect_nodestatus beta alpha dead 5
hb_pass "cl_status words and exit codes"
