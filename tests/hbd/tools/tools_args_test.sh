#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# hb_standby / hb_takeover / cl_status / hbctl on bad arguments and without a daemon: a clear message,
# a non-zero exit, never a crash (an uncaught exception or a sanitizer report exits 134 or similar).
set -u
BIN=${HB_BUILD:?}/bin
SOCK=$(mktemp -u /tmp/hbtools.XXXXXX.sock)   # nothing listens here
fails=0
# expect RC PATTERN CMD...: CMD exits with RC and its stderr+stdout match PATTERN (grep -E).
expect() {
  local rc=$1 pat=$2 out got
  shift 2
  out=$("$@" 2>&1); got=$?
  if [ "$got" != "$rc" ] || ! grep -qE -- "$pat" <<<"$out"; then
    echo "FAIL: $* -> exit $got (want $rc), output: $out"
    fails=$((fails + 1))
  else
    echo "ok: $* -> $rc"
  fi
}
expect 0 "Usage: hb_standby" "$BIN/hb_standby" --help
expect 0 "Usage: hb_takeover" "$BIN/hb_takeover" --help
expect 1 "Usage: hb_standby" "$BIN/hb_standby" --socket "$SOCK" nowhere
expect 1 "Usage: hb_standby" "$BIN/hb_standby" --socket "$SOCK" all local
expect 1 "not a number of seconds" "$BIN/hb_standby" --socket "$SOCK" --wait 5x
expect 1 "not a number of seconds" "$BIN/hb_standby" --socket "$SOCK" --wait 99999999999999999999999
expect 1 "not a number of seconds" "$BIN/hb_takeover" --socket "$SOCK" --wait 86401
expect 1 "hb_standby: " "$BIN/hb_standby" --socket "$SOCK" --wait 3 all
expect 1 "hb_takeover: " "$BIN/hb_takeover" --socket "$SOCK" local --wait
expect 1 "hb_standby: " "$BIN/hb_standby" --socket "$SOCK"
[ "$fails" = 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "PASS"
