#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A node whose generation went back across a restart (clock set back with hbgenmethod time and its
# record lost; state dir restored from a backup with file) is accepted again by its peer after a
# challenge, within a few keepalives; an unwritable state dir makes hbd refuse to start.
. "$(dirname "$0")/lib.sh"
hb_require_netns
hb_pair alpha beta

cfg="keepalive 100ms
deadtime 500ms
warntime 300ms
initdead 1
ucast eth0 ${HB_NODE_IP[alpha]}
ucast eth0 ${HB_NODE_IP[beta]}
auto_failback off
node alpha beta"

# hb_gen NODE [PEER]: NODE's own generation, or the one NODE knows for PEER (hbctl status --json).
hb_gen() {
  hb_ctl "$1" status --json 2>/dev/null | python3 -c '
import json, sys
st = json.load(sys.stdin)
peer = sys.argv[1]
if not peer:
    print(st.get("generation", ""))
else:
    print(next((n.get("generation", "") for n in st["nodes"] if n["name"] == peer), ""))' "${2:-}"
}
hb_gen_is() { [ "$(hb_gen "$1" "$2")" = "$3" ]; }
# hb_accepted_within SECONDS: alpha sees beta active again, with beta's own (lower) generation.
hb_accepted_within() {
  local limit=$1 t0 gen dt
  t0=$(hb_now_ms)
  hb_wait 20 hb_test_sock beta || hb_fail "beta did not start"
  gen=$(hb_gen beta)
  [ -n "$gen" ] || hb_fail "beta reports no generation"
  hb_wait "$limit" hb_gen_is alpha beta "$gen" ||
    hb_fail "alpha still knows beta as generation $(hb_gen alpha beta), beta runs $gen (dropped as replays?)"
  hb_wait "$limit" hb_nodestatus_is alpha beta active ||
    hb_fail "beta (generation $gen) is '$(hb_cl alpha nodestatus beta)' for alpha after ${limit} s"
  dt=$(( $(hb_now_ms) - t0 ))
  hb_log "alpha accepted beta with generation $gen after ${dt} ms"
  [ "$(hb_cl alpha nodestatus beta)" = active ] || hb_fail "beta not active for alpha"
  [ "$(hb_cl beta nodestatus alpha)" = active ] || hb_wait 10 hb_nodestatus_is beta alpha active ||
    hb_fail "alpha not active for beta"
}
hb_test_sock() { test -S "$HB_T/$1/run/hbd.sock"; }

# 1. hbgenmethod time: beta's clock was far ahead when it last made its generation (bad RTC);
#    then it is set right and the record is lost (new disk, wiped /var/lib/hbd): it comes back
#    with a generation far below the one alpha remembers.
hb_config alpha "$cfg"
hb_config beta "hbgenmethod time
$cfg"
future=9000000000000000
mkdir -p "$HB_T/beta/hbstate" "$HB_T/beta/run"
chmod 700 "$HB_T/beta/hbstate"
echo "$future" > "$HB_T/beta/hbstate/generation"
echo "$future" > "$HB_T/beta/run/generation"  # where hbd kept it before --state-dir
hb_start alpha
hb_start beta
hb_expect_nodestatus alpha beta active 10
hb_expect_nodestatus beta alpha active 10
old=$(hb_gen alpha beta)
[ "$old" -gt "$future" ] || hb_fail "beta's first generation $old is not above $future"
hb_pass "beta active with generation $old (clock ahead)"

hb_kill9 beta  # a crash or power cut: no shutdown notice
rm -f "$HB_T/beta/hbstate/generation" "$HB_T/beta/run/generation"
hb_start beta
hb_accepted_within 10
new=$(hb_gen alpha beta)
[ "$new" -lt "$old" ] || hb_fail "beta's generation did not go back: $new (was $old)"
grep -q "node beta: frames with generation $new, lower than the $old it had" "$HB_T/alpha/hbd.out" ||
  hb_fail "alpha did not warn about beta's lower generation"
hb_pass "clock set back across a restart: beta accepted with generation $new (was $old)"

# 2. hbgenmethod file: beta's state dir restored from an old backup.
hb_stop beta
hb_config beta "$cfg"
echo 1000 > "$HB_T/beta/hbstate/generation"
hb_start beta
hb_accepted_within 10
[ "$(hb_gen alpha beta)" = 1001 ] || hb_fail "beta's counter is $(hb_gen alpha beta), expected 1001"
[ "$(cat "$HB_T/beta/hbstate/generation")" = 1001 ] || hb_fail "state dir holds '$(cat "$HB_T/beta/hbstate/generation")'"
hb_pass "state dir restored from a backup: beta accepted with generation 1001"

# The counter grows by one per start (and is accepted as an ordinary restart).
hb_stop beta
hb_start beta
hb_wait 10 hb_gen_is alpha beta 1002 || hb_fail "after a restart alpha knows beta as $(hb_gen alpha beta), expected 1002"
hb_expect_nodestatus alpha beta active 10
hb_pass "hbgenmethod file: next start is generation 1002"

# 3. A generation that cannot be persisted: hbd refuses to start, saying why.
hb_stop beta
rm -f "$HB_T/beta/hbstate/generation"
mkdir "$HB_T/beta/hbstate/generation"  # a directory where the file must go: rename fails
rc=0
hb_exec beta timeout 20 "$HB_BIN/hbd" -f -c "$HB_T/beta/etc" -n beta -r "$HB_T/beta/run" \
  --state-dir "$HB_T/beta/hbstate" >"$HB_T/beta/refused.out" 2>&1 || rc=$?
[ "$rc" = 3 ] || hb_fail "hbd with an unwritable generation exited $rc, expected 3: $(cat "$HB_T/beta/refused.out")"
grep -q "cannot write the generation" "$HB_T/beta/refused.out" ||
  hb_fail "no clear error: $(cat "$HB_T/beta/refused.out")"
hb_pass "unwritable generation: hbd refuses to start (exit 3)"
