#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# kill -9 is seen as dead within deadtime plus a margin; a restarted node comes back active;
# a wrong key never makes a node active (and is counted).
. "$(dirname "$0")/lib.sh"
hb_require_netns
hb_pair alpha beta

cfg="keepalive 100ms
deadtime 500ms
warntime 300ms
initdead 1
ucast eth0 ${HB_NODE_IP[alpha]}
ucast eth0 ${HB_NODE_IP[beta]}
node alpha beta"
hb_config alpha "$cfg"
hb_config beta "$cfg"
hb_start alpha
hb_start beta
hb_expect_nodestatus alpha beta active 10
hb_expect_nodestatus beta alpha active 10

t0=$(hb_now_ms)
hb_kill9 beta
hb_wait 5 hb_nodestatus_is alpha beta dead || hb_fail "beta not seen dead after kill -9"
dt=$(( $(hb_now_ms) - t0 ))
hb_log "kill -9 -> dead seen by cl_status after ${dt} ms (deadtime 500 ms, polling adds up to ~100 ms)"
[ "$dt" -le 2000 ] || hb_fail "detection took ${dt} ms, more than deadtime + 1500 ms margin"
hb_pass "kill -9 detected"

hb_start beta
hb_expect_nodestatus alpha beta active 10
hb_expect_nodestatus beta alpha active 10
gen_restarts=$(hb_ctl alpha status --json | sed -n 's/.*"restarts": *\([0-9]*\).*/\1/p')
[ "${gen_restarts:-0}" -ge 1 ] || hb_fail "restart not counted: ${gen_restarts:-none}"
hb_pass "restarted node is active again"

# A node with the wrong key: never active, bad auth counted.
hb_stop beta
hb_config beta "$cfg" $'auth 1\n1 sha1 wrong-secret'
hb_start beta
sleep 3
[ "$(hb_cl alpha nodestatus beta)" = dead ] || hb_fail "beta with a wrong key is '$(hb_cl alpha nodestatus beta)'"
[ "$(hb_cl beta nodestatus alpha)" != active ] || hb_fail "alpha is active for beta despite wrong key"
bad=$(hb_ctl alpha status --json | sed -n 's/.*"bad_auth": *\([0-9]*\).*/\1/p' | head -1)
[ "${bad:-0}" -gt 0 ] || hb_fail "bad_auth counter is '${bad:-}'"
hb_pass "wrong key: never active, $bad packets counted bad_auth"
