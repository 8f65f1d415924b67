#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Lint: no file includes another folder's private header (*_private.h).
#
# A folder is one library with one public header; its other headers are named *_private.h and
# belong to that folder (style.md section 1). Allowed: the folder itself, and its mirror test
# folder tests/<same path>/ (unit tests may look inside the library they test). Include paths
# are resolved as the compiler does for our targets: "x_private.h" next to the including file,
# "./" and "../" relative to it, anything else from the repository root.
#
# Usage: check_includes.sh [SOURCE_DIR]   (default $HB_SOURCE, else this repository)
#        check_includes.sh --self-test    (proves on a scratch tree that violations are caught)
# Exit 0 clean, 1 violations (each printed as FILE:LINE: error: ...).

set -u

check_tree() {
    local src=$1 bad=0 file line text inc dir owner
    while IFS=: read -r file line text; do
        [[ $text =~ ^[[:space:]]*#[[:space:]]*include[[:space:]]*[\"\<]([^\"\>]*_private\.h)[\"\>] ]] || continue
        inc=${BASH_REMATCH[1]}
        dir=$(dirname "${file#"$src"/}")
        case "$inc" in
            */*) ;;
            *) continue ;;  # same folder
        esac
        case "$inc" in
            ./*|../*) owner=$(realpath -m --relative-to="$src" "$src/$dir/$inc") ;;
            *) owner=$(realpath -m --relative-to="$src" "$src/$inc") ;;
        esac
        owner=$(dirname "$owner")
        if [ "$owner" = "$dir" ] || [ "tests/$owner" = "$dir" ]; then
            continue
        fi
        echo "${file#"$src"/}:$line: error: includes $inc, private to $owner/ (use its public header)"
        bad=1
    done < <(grep -rnE --include='*.h' --include='*.hh' --include='*.hpp' --include='*.c' \
        --include='*.cc' --include='*.cpp' --exclude-dir='.git' --exclude-dir='build*' \
        '^[[:space:]]*#[[:space:]]*include[[:space:]]*["<][^">]*_private\.h[">]' "$src" 2>/dev/null)
    return $bad
}

self_test() {
    local t out rc
    SELF_DIR=$(mktemp -d /tmp/hbincl.XXXXXX) || exit 99
    trap 'rm -rf "$SELF_DIR"' EXIT
    t=$SELF_DIR
    mkdir -p "$t/hbd/link" "$t/hbd/message" "$t/tests/hbd/link" "$t/crm/policy"
    : >"$t/hbd/link/link_private.h"
    printf '#include "link_private.h"\n#include "hbd/link/link_private.h"\n' >"$t/hbd/link/udp_link.cc"
    printf '#include "hbd/link/link_private.h"\n' >"$t/tests/hbd/link/udp_link_test.cc"
    printf '// #include "hbd/link/link_private.h" in a comment is fine\n#include "hbd/link/link.h"\n' \
        >"$t/crm/policy/policy.cc"
    out=$(check_tree "$t")
    rc=$?
    if [ $rc -ne 0 ] || [ -n "$out" ]; then
        echo "check_includes.sh: self-test: false alarm on a clean tree: $out" >&2
        exit 1
    fi
    printf '#include "hbd/link/link_private.h"\n' >"$t/hbd/message/frame.cc"
    printf 'int x;\n  #  include "../link/link_private.h"\n' >"$t/hbd/message/auth.h"
    printf '#include <hbd/link/link_private.h>\n' >"$t/crm/policy/policy.cc"
    out=$(check_tree "$t")
    rc=$?
    local want
    for want in "hbd/message/frame.cc:1:" "hbd/message/auth.h:2:" "crm/policy/policy.cc:1:"; do
        if [[ $out != *"$want"* ]]; then
            echo "check_includes.sh: self-test: violation $want not reported; got: $out" >&2
            exit 1
        fi
    done
    if [ $rc -ne 1 ] || [ "$(printf '%s\n' "$out" | wc -l)" -ne 3 ]; then
        echo "check_includes.sh: self-test: want exit 1 and 3 reports, got $rc: $out" >&2
        exit 1
    fi
    echo "check_includes.sh: self-test passed"
}

if [ "${1:-}" = --self-test ]; then
    self_test
    exit 0
fi
src=${1:-${HB_SOURCE:-$(cd "$(dirname "$0")/../.." && pwd)}}
src=$(realpath "$src")
if ! check_tree "$src"; then
    echo "check_includes.sh: FAIL: private headers included from other folders" >&2
    exit 1
fi
echo "check_includes.sh: no private header included from another folder"
