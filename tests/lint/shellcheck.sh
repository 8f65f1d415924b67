#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Lint: shellcheck on every shell script we ship or test with.
#
#   ocf-agents/*          our OCF agents and their library: POSIX sh (-s sh), every severity
#   tests/**/*.sh         test scripts: the shell their #! names (bash when none: ctest runs them
#   ha.d/**/*.sh          with bash); ha.d/resource.d/* scripts with a shell #! line as well;
#                         severity "warning" (HB_SHELLCHECK_SEVERITY overrides)
#
# Usage: shellcheck.sh [SOURCE_DIR]  (default $HB_SOURCE, else the repository holding this file).
# Exit 0 clean, 1 findings, 77 shellcheck missing (1 under CI=true).

set -u
src=${1:-${HB_SOURCE:-$(cd "$(dirname "$0")/../.." && pwd)}}
severity=${HB_SHELLCHECK_SEVERITY:-warning}

if ! command -v shellcheck >/dev/null 2>&1; then
    if [ "${CI:-}" = true ]; then
        echo "shellcheck.sh: FAIL (CI=true): shellcheck is not installed" >&2
        exit 1
    fi
    echo "shellcheck.sh: SKIP: shellcheck is not installed" >&2
    exit 77
fi

# shell_of FILE: sh or bash from the #! line; empty if the file is not a shell script.
shell_of() {
    local first
    IFS= read -r first <"$1" 2>/dev/null || first=
    case "$first" in
        '#!'*bash*) echo bash ;;
        '#!'*/sh|'#!'*/sh\ *|'#!'*dash*|'#!'*env\ sh*) echo sh ;;
        '#!'*) echo "" ;;
        *) echo none ;;
    esac
}

failed=0
checked=0
check() {  # check DIALECT SEVERITY FILE
    checked=$((checked + 1))
    if ! shellcheck -x -P SCRIPTDIR -s "$1" -S "$2" "$3"; then
        echo "shellcheck.sh: findings in ${3#"$src"/} (-s $1 -S $2)" >&2
        failed=$((failed + 1))
    fi
}

# Our agents: every file of ocf-agents/ except the build file and documentation.
for f in "$src"/ocf-agents/*; do
    [ -f "$f" ] || continue
    case "${f##*/}" in
        CMakeLists.txt|*.md|*.txt) continue ;;
    esac
    check sh style "$f"
done

while IFS= read -r -d '' f; do
    sh=$(shell_of "$f")
    case "$sh" in
        "") continue ;;        # another interpreter's #!
        none) sh=bash ;;       # sourced helpers and scripts ctest runs with bash
    esac
    check "$sh" "$severity" "$f"
done < <(find "$src/tests" "$src/ha.d" -type f -name '*.sh' -print0 2>/dev/null | sort -z)

# heartbeat-style resource.d scripts carry no .sh suffix.
if [ -d "$src/ha.d/resource.d" ]; then
    while IFS= read -r -d '' f; do
        case "$f" in *.sh) continue ;; esac
        sh=$(shell_of "$f")
        case "$sh" in
            ""|none) continue ;;
        esac
        check "$sh" "$severity" "$f"
    done < <(find "$src/ha.d/resource.d" -type f -print0 | sort -z)
fi

if [ "$checked" -eq 0 ]; then
    echo "shellcheck.sh: FAIL: no scripts found under $src" >&2
    exit 1
fi
if [ "$failed" -ne 0 ]; then
    echo "shellcheck.sh: FAIL: $failed of $checked scripts have findings" >&2
    exit 1
fi
echo "shellcheck.sh: $checked scripts clean"
