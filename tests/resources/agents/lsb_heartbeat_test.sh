#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A heartbeat-style script in a resource.d/ folder and an LSB script in a test init folder, run
# through hb_agent_run (`hbctl agent run`): argument order and status interpretation.
set -u
RUN="${HB_BUILD:?}/tests/hb_agent_run"
fail() { echo "FAIL: $*"; exit 1; }
[ -x "$RUN" ] || fail "$RUN not built"
TMP=$(mktemp -d /tmp/hb_agents_lsbhb.$$.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$TMP/ha.d/resource.d" "$TMP/init.d"
OPTS=(--config-dir "$TMP/ha.d" --init-dir "$TMP/init.d")

# heartbeat v1 script: arguments first, action last; status by words, exit code ignored.
cat > "$TMP/ha.d/resource.d/Web" <<SH
#!/bin/sh
echo "\$*" >> $TMP/web.calls
eval "op=\\\${\$#}"
case "\$op" in
  start) touch $TMP/web.on ;;
  stop) rm -f $TMP/web.on ;;
  status) if [ -e $TMP/web.on ]; then echo "Web is running"; exit 1; else echo "Web is not running"; exit 0; fi ;;
esac
exit 0
SH
# LSB init script: status by exit code (3 = not running), words ignored.
cat > "$TMP/init.d/websvc" <<SH
#!/bin/sh
echo "\$*" >> $TMP/lsb.calls
case "\$1" in
  start) touch $TMP/lsb.on ;;
  stop) rm -f $TMP/lsb.on ;;
  status) echo "websvc is running"; [ -e $TMP/lsb.on ] && exit 0; exit 3 ;;
  *) exit 3 ;;
esac
exit 0
SH
chmod 0755 "$TMP/ha.d/resource.d/Web" "$TMP/init.d/websvc"

check() {  # check WANT_RC WORD -- args...
  local want=$1 word=$2; shift 3
  local out rc
  out=$("$RUN" "${OPTS[@]}" "$@"); rc=$?
  echo "$* -> rc=$rc: $out"
  [ "$rc" = "$want" ] || fail "exit $rc, expected $want"
  [ "${out%% *}" = "$word" ] || fail "word '${out%% *}', expected $word"
}
check 7 not-running -- Web status 10.0.0.5/24 eth0
check 0 ok -- Web start 10.0.0.5/24 eth0
check 0 ok -- Web status 10.0.0.5/24 eth0
check 0 ok -- Web stop 10.0.0.5/24 eth0
check 7 not-running -- Web monitor 10.0.0.5/24 eth0
want=$'10.0.0.5/24 eth0 status\n10.0.0.5/24 eth0 start\n10.0.0.5/24 eth0 status\n10.0.0.5/24 eth0 stop\n10.0.0.5/24 eth0 status'
[ "$(cat "$TMP/web.calls")" = "$want" ] || fail "heartbeat argument order: $(cat "$TMP/web.calls")"

check 7 not-running -- lsb:websvc status
check 0 ok -- lsb:websvc start
check 0 ok -- lsb:websvc monitor
check 0 ok -- lsb:websvc stop
check 7 not-running -- lsb:websvc status
check 1 error -- lsb:websvc reload
[ "$(cat "$TMP/lsb.calls")" = $'status\nstart\nstatus\nstop\nstatus\nreload' ] || fail "lsb calls: $(cat "$TMP/lsb.calls")"

# A bare name found in neither place: refused, naming it.
out=$("$RUN" "${OPTS[@]}" Missing start 2>&1 >/dev/null); rc=$?
if [ "$rc" != 1 ] || [[ "$out" != *"cannot locate resource script"* ]]; then
  fail "missing script: rc=$rc $out"
fi
echo PASS
