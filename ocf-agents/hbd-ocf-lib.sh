# SPDX-License-Identifier: GPL-2.0-or-later
# hbd-ocf-lib.sh: OCF return codes and small helpers shared by the hbd agents (POSIX sh).
#
# Sourced by every agent of provider hbd. It replaces resource-agents' ocf-shellfuncs, so our
# agents run on a machine without that package. Sourcing must stay cheap: no forks here.
# Installed as $OCF_ROOT/lib/hbd/hbd-ocf-lib.sh; the build tree has it at ocf/lib/hbd/.
# shellcheck disable=SC2034 # the constants and results are used by the agents that source this

# Exit codes of the OCF Resource Agent API.
OCF_SUCCESS=0
OCF_ERR_GENERIC=1
OCF_ERR_ARGS=2
OCF_ERR_UNIMPLEMENTED=3
OCF_ERR_PERM=4
OCF_ERR_INSTALLED=5
OCF_ERR_CONFIGURED=6
OCF_NOT_RUNNING=7

LC_ALL=C
export LC_ALL

# Runtime state directory, as resource-agents uses it.
: "${HA_RSCTMP:=/run/resource-agents}"
: "${OCF_RESOURCE_INSTANCE:=default}"
HB_AGENT=${0##*/}
HB_ACTION=${1:-}

if [ -n "${OCF_TRACE_RA:-}" ] || [ -n "${OCF_RESKEY_trace_ra:-}" ]; then
    case "${OCF_TRACE_RA:-}${OCF_RESKEY_trace_ra:-}" in
        0|no|false) ;;
        *) set -x ;;
    esac
fi

# hb_log LEVEL TEXT...: one line on stderr, which hbd captures into its log.
hb_log() {
    hb_level=$1
    shift
    if [ "$hb_level" = debug ] && [ -z "${HA_debug:-}" ]; then
        return 0
    fi
    printf '%s(%s)[%s]: %s: %s\n' "$HB_AGENT" "$OCF_RESOURCE_INSTANCE" "$$" "$hb_level" "$*" >&2
}

# hb_exit_reason TEXT...: the machine-readable failure reason (logged as an error too).
hb_exit_reason() {
    printf '%s%s\n' "${OCF_EXIT_REASON_PREFIX:-ocf-exit-reason:}" "$*" >&2
    hb_log error "$*"
}

# hb_is_probe: true for a monitor with interval 0 (the manager asking "is it running here?").
hb_is_probe() {
    [ "$HB_ACTION" = monitor ] && [ "${OCF_RESKEY_CRM_meta_interval:-0}" = 0 ]
}

# hb_have_binary NAME: true if NAME can be run. ocf-tester sets OCF_TESTER_FAIL_HAVE_BINARY=1
# to simulate a node where the software is not installed.
hb_have_binary() {
    if [ "${OCF_TESTER_FAIL_HAVE_BINARY:-0}" = 1 ]; then
        return 1
    fi
    command -v "$1" >/dev/null 2>&1
}

# hb_is_true VALUE: yes/true/on/1 (any case) are true.
hb_is_true() {
    case "$1" in
        [Yy][Ee][Ss]|[Tt][Rr][Uu][Ee]|[Oo][Nn]|1|[Yy]) return 0 ;;
        *) return 1 ;;
    esac
}

# hb_is_uint VALUE: a non-empty string of decimal digits.
hb_is_uint() {
    case "$1" in
        ''|*[!0-9]*) return 1 ;;
        *) return 0 ;;
    esac
}

# hb_timeout_s DEFAULT: set HB_TIMEOUT_S to the operation timeout in whole seconds
# (OCF_RESKEY_CRM_meta_timeout is in ms), or DEFAULT when the manager gave none.
hb_timeout_s() {
    if hb_is_uint "${OCF_RESKEY_CRM_meta_timeout:-}"; then
        HB_TIMEOUT_S=$((OCF_RESKEY_CRM_meta_timeout / 1000))
    else
        HB_TIMEOUT_S=$1
    fi
}

# hb_ensure_rsctmp: create HA_RSCTMP when the resource-agents package did not.
hb_ensure_rsctmp() {
    [ -d "$HA_RSCTMP" ] || mkdir -p "$HA_RSCTMP" || return 1
}

# hb_pid_alive PID [COMM]: the process exists, is not a zombie (an orphan may wait a while for
# its reaper) and, if given, its command name is COMM. Reads /proc with the shell's own read,
# so it costs no fork.
hb_pid_alive() {
    hb_is_uint "$1" || return 1
    hb_stat=
    read -r hb_stat <"/proc/$1/stat" 2>/dev/null || return 1
    # "PID (COMM) STATE ...": COMM may hold spaces and parentheses, the state follows the last ")".
    hb_state=${hb_stat##*) }
    case "$hb_state" in
        Z*|X*|x*) return 1 ;;
    esac
    [ -z "${2:-}" ] && return 0
    hb_comm=${hb_stat#*\(}
    hb_comm=${hb_comm%\)*}
    [ "$hb_comm" = "$2" ]
}

# hb_read_pidfile FILE: set HB_PID to the first line of FILE (empty if absent or unreadable).
hb_read_pidfile() {
    HB_PID=
    if [ -r "$1" ]; then
        read -r HB_PID <"$1" || :
    fi
}

# hb_usage ACTIONS: the usage line for unknown actions.
hb_usage() {
    echo "usage: $HB_AGENT {$1}"
}
