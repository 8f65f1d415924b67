#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Real ocf:heartbeat:Dummy through the runner (hb_agent_run = `hbctl agent run`): 0/0/0/7, and
# bad input (unknown class/provider/type, missing required parameter, not executable) refused.
set -u
RUN="${HB_BUILD:?}/tests/hb_agent_run"
skip() { echo "SKIP: $*"; if [ "${CI:-}" = true ]; then exit 1; fi; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }
[ -x /usr/lib/ocf/resource.d/heartbeat/Dummy ] || skip "resource-agents not installed"
[ -x "$RUN" ] || fail "$RUN not built"

TMP=$(mktemp -d /tmp/hb_agents_dummy.$$.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

# expect RC PATTERN -- command...: runs it, checks exit code and that stdout matches PATTERN.
expect() {
  local want_rc=$1 pattern=$2; shift 3
  local out rc
  out=$("$@" 2>"$TMP/err"); rc=$?
  echo "\$ ${*#"$RUN"} -> rc=$rc: $out $(cat "$TMP/err")"
  [ "$rc" = "$want_rc" ] || fail "exit $rc, expected $want_rc"
  [[ "$out" =~ $pattern ]] || fail "output '$out' does not match '$pattern'"
}

STATE="$TMP/dummy.state"
expect 0 '^ok rc=0 duration=[0-9]+ms$' -- "$RUN" --resource d1 ocf:heartbeat:Dummy start state="$STATE"
[ -e "$STATE" ] || fail "Dummy did not create its state file"
expect 0 '^ok rc=0 duration=[0-9]+ms$' -- "$RUN" --resource d1 ocf:heartbeat:Dummy monitor state="$STATE"
expect 0 '^ok rc=0 duration=[0-9]+ms$' -- "$RUN" --resource d1 ocf:heartbeat:Dummy stop state="$STATE"
expect 7 '^not-running rc=7 duration=[0-9]+ms status=not-running$' -- "$RUN" --resource d1 ocf:heartbeat:Dummy monitor state="$STATE"
[ -e "$STATE" ] && fail "state file left after stop"
expect 0 '<resource-agent name="Dummy"' -- "$RUN" ocf:heartbeat:Dummy meta-data

# Bad input: a clear error naming the resource, nothing on stdout, nothing started.
expect 2 '^$' -- "$RUN" stonith:fence_x start
grep -q "unknown agent class 'stonith'" "$TMP/err" || fail "no class error"
expect 1 '^$' -- "$RUN" --resource web ocf:nosuchprovider:Dummy start
grep -q "resource 'web' (ocf:nosuchprovider:Dummy): unknown OCF provider" "$TMP/err" || fail "no provider error"
expect 1 '^$' -- "$RUN" --resource web ocf:heartbeat:NoSuchAgent start
grep -q "resource 'web' (ocf:heartbeat:NoSuchAgent): not found" "$TMP/err" || fail "no type error"
expect 1 '^$' -- "$RUN" --resource vip ocf:heartbeat:IPaddr2 start cidr_netmask=24
grep -q "resource 'vip' (ocf:heartbeat:IPaddr2): missing required parameter ip" "$TMP/err" || fail "no required-parameter error"
mkdir -p "$TMP/ocf/resource.d/test"
printf '#!/bin/sh\ntouch %s/ran\n' "$TMP" > "$TMP/ocf/resource.d/test/Plain"
chmod 0644 "$TMP/ocf/resource.d/test/Plain"
expect 1 '^$' -- "$RUN" --ocf-root "$TMP/ocf" --resource p ocf:test:Plain start
grep -q "resource 'p' (ocf:test:Plain): .*/Plain is not executable" "$TMP/err" || fail "no exec error"
[ -e "$TMP/ran" ] && fail "a refused agent ran"
echo PASS
