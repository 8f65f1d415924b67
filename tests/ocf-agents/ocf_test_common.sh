#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# ocf_test_common.sh: shared helpers for the agent conformance tests (sourced, bash).
#
# Exit codes: 0 pass, 1 fail, 77 skipped (a prerequisite is missing; with CI=true that is a
# failure instead), 99 harness error. Every test works in its own temp dir with its own copy of
# the built OCF tree (so ocf-tester's "meta-data as nobody" check can read it) and its own
# HA_RSCTMP, and undoes everything it set up from an EXIT trap.

set -u

# The built tree; ctest sets HB_BUILD, by hand: HB_BUILD=/path/to/build bash test.sh
HB_BUILD=${HB_BUILD:-}
T_CLEANUP=()

t_log() { printf '%s: %s\n' "${0##*/}" "$*" >&2; }

t_fail() {
    t_log "FAIL: $*"
    exit 1
}

# t_skip REASON: a missing prerequisite. Skipped normally, a failure under CI=true.
t_skip() {
    if [ "${CI:-}" = true ]; then
        t_log "FAIL (CI=true, prerequisite missing): $*"
        exit 1
    fi
    t_log "SKIP: $*"
    exit 77
}

t_need_root() { [ "$(id -u)" = 0 ] || t_skip "needs root"; }

t_need_cmd() {
    local c
    for c in "$@"; do
        command -v "$c" >/dev/null 2>&1 || t_skip "needs $c"
    done
}

# t_on_exit CMD...: run CMD (a string for eval) at exit, last registered first.
t_on_exit() { T_CLEANUP+=("$*"); }

t_run_cleanup() {
    local rc=$? i
    trap - EXIT INT TERM
    for ((i = ${#T_CLEANUP[@]} - 1; i >= 0; i--)); do
        eval "${T_CLEANUP[$i]}" >/dev/null 2>&1 || :
    done
    exit "$rc"
}
trap t_run_cleanup EXIT
trap 'exit 1' INT TERM

# t_setup_ocf_root: T_DIR (temp dir, world-readable), OCF_ROOT (copy of the built OCF tree),
# HA_RSCTMP (private run dir), T_AGENTS (the hbd provider dir).
t_setup_ocf_root() {
    [ -n "$HB_BUILD" ] || { t_log "HB_BUILD is not set"; exit 99; }
    [ -d "$HB_BUILD/ocf/resource.d/hbd" ] || { t_log "no $HB_BUILD/ocf/resource.d/hbd: build first"; exit 99; }
    T_DIR=$(mktemp -d /tmp/hbocf.XXXXXX) || exit 99
    t_on_exit "rm -rf '$T_DIR'"
    chmod 755 "$T_DIR"
    cp -a "$HB_BUILD/ocf" "$T_DIR/ocf" || exit 99
    OCF_ROOT=$T_DIR/ocf
    HA_RSCTMP=$T_DIR/rsctmp
    mkdir -p "$HA_RSCTMP"
    export OCF_ROOT HA_RSCTMP T_DIR
    T_AGENTS=$OCF_ROOT/resource.d/hbd
}

# t_netns NAME: create a network namespace with loopback up. At exit every process still in it
# (nginx, a lingering arping) is killed and the namespace removed.
t_netns() {
    ip netns add "$1" 2>/dev/null || t_skip "cannot create network namespace $1 (ip netns)"
    t_on_exit "ip netns pids '$1' | xargs -r kill -9; ip netns del '$1'"
    ip -n "$1" link set lo up || t_fail "lo up in $1"
}

# t_ocf_tester AGENT [ocf-tester args...]: run ocf-tester on one of our agents, inside network
# namespace $T_NS when that is set; its output goes to the log.
t_ocf_tester() {
    local agent=$1 out rc
    shift
    local run=()
    [ -n "${T_NS:-}" ] && run=(ip netns exec "$T_NS")
    out=$("${run[@]}" ocf-tester "$@" "$T_AGENTS/$agent" 2>&1)
    rc=$?
    printf '%s\n' "$out" >&2
    [ $rc -eq 0 ] || t_fail "ocf-tester failed for $agent (rc $rc): $*"
    if [[ $out != *"passed all tests"* ]]; then
        t_fail "ocf-tester did not report 'passed all tests' for $agent: $*"
    fi
}

# t_expect_rc WANT DESCRIPTION CMD...: run CMD, compare its exit code.
t_expect_rc() {
    local want=$1 what=$2 rc
    shift 2
    "$@" >"$T_DIR/last.out" 2>"$T_DIR/last.err"
    rc=$?
    if [ "$rc" != "$want" ]; then
        cat "$T_DIR/last.out" "$T_DIR/last.err" >&2
        t_fail "$what: exit code $rc, expected $want"
    fi
}
