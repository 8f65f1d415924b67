#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# ocf_tester_dummy.sh: ocf:hbd:Dummy passes ocf-tester and behaves as a state-file agent.

# shellcheck source=ocf_test_common.sh
. "$(dirname "$0")/ocf_test_common.sh"

t_need_cmd ocf-tester xmllint
t_setup_ocf_root

state=$T_DIR/dummy.state
t_ocf_tester Dummy -n hbocf_dummy -o state="$state"
# ocf-tester ends with migrate_to/migrate_from/reload, which leave Dummy stopped.
[ ! -e "$state" ] || t_fail "state file left behind after ocf-tester"

# The default state file lives in HA_RSCTMP and is named after the instance.
export OCF_RESOURCE_INSTANCE=hbocf_dummy2
t_expect_rc 0 "start with default state" "$T_AGENTS/Dummy" start
[ -f "$HA_RSCTMP/Dummy-hbocf_dummy2.state" ] || t_fail "default state file not created"
t_expect_rc 0 "monitor after start" "$T_AGENTS/Dummy" monitor
t_expect_rc 0 "stop" "$T_AGENTS/Dummy" stop
t_expect_rc 7 "monitor after stop" "$T_AGENTS/Dummy" monitor

# Bad configuration: 6, with an ocf-exit-reason line; a probe still says "not running".
t_expect_rc 6 "validate-all with a relative state" env OCF_RESKEY_state=rel.state "$T_AGENTS/Dummy" validate-all
grep -q '^ocf-exit-reason:' "$T_DIR/last.err" || t_fail "no ocf-exit-reason line for a bad state"
t_expect_rc 7 "probe with bad config" env OCF_RESKEY_state=rel.state OCF_RESKEY_CRM_meta_interval=0 \
    "$T_AGENTS/Dummy" monitor
t_expect_rc 3 "unknown action" "$T_AGENTS/Dummy" frobnicate

# Works from the build tree as well as from the copy, and without the resource-agents tree.
t_expect_rc 0 "meta-data from the build tree, OCF_ROOT unset" env -u OCF_ROOT "$HB_BUILD/ocf/resource.d/hbd/Dummy" meta-data
t_log "PASS"
