#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `hbd --check` and start-up refuse config files that are not regular files (a FIFO authkeys must
# not hang them), a symlinked authkeys, and a vrrp.conf nested too deep; each within a second.
set -u

: "${HB_BUILD:?HB_BUILD must point at the build tree}"
: "${HB_SOURCE:?HB_SOURCE must point at the source tree}"

hbd="$HB_BUILD/bin/hbd"
if [ ! -x "$hbd" ]; then
  echo "FAIL: $hbd does not exist yet: build the hbd target first (cmake --build ... --target hbd)" >&2
  exit 1
fi

tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
cfg="$tmp/ha.d"

# A fresh copy of the samples (they pass --check: config_samples_check).
fresh() {
  rm -rf "$cfg"
  mkdir -p "$cfg/resource.d" || exit 99
  for f in ha.cf authkeys haresources; do cp "$HB_SOURCE/ha.d/$f" "$cfg/$f" || exit 99; done
  chmod 600 "$cfg/authkeys"
}
fresh
node=$(awk '$1 == "node" { split($2, a, ","); print a[1]; exit }' "$cfg/ha.cf")
[ -n "$node" ] || { echo "FAIL: no node line in the ha.cf sample" >&2; exit 1; }

# expect WHAT WANT_RC WANT_TEXT CMD...: runs CMD under `timeout 5` (a hang fails, never blocks),
# then checks its exit code, that it took under a second more than a plain `hbd --check` of the
# samples (a sanitizer build on a busy machine needs most of a second just to start), and that
# its output holds WANT_TEXT.
base_ms=0
expect() {
  local what=$1 want_rc=$2 want_text=$3 start end ms out rc
  shift 3
  start=$(date +%s%N)
  out=$(timeout 5 "$@" 2>&1)
  rc=$?
  end=$(date +%s%N)
  ms=$(( (end - start) / 1000000 ))
  if [ "$rc" -eq 124 ]; then
    printf '%s\n' "$out"
    echo "FAIL: $what: hbd hung (killed after 5 s)" >&2
    exit 1
  fi
  if [ "$rc" -ne "$want_rc" ] || ! printf '%s\n' "$out" | grep -qF -- "$want_text"; then
    printf '%s\n' "$out"
    echo "FAIL: $what: exit $rc, expected $want_rc and '$want_text'" >&2
    exit 1
  fi
  if [ "$ms" -ge $((base_ms + 1000)) ]; then
    echo "FAIL: $what: took $ms ms, expected under 1 s (+ $base_ms ms for a plain --check)" >&2
    exit 1
  fi
  echo "OK: $what (exit $rc, $ms ms)"
}

check() { expect "$1" "$2" "$3" "$hbd" --check -c "$cfg" -n "$node"; }
start() {
  mkdir -p "$tmp/run" "$tmp/state"
  expect "$1" 1 "$2" "$hbd" -f -c "$cfg" -n "$node" -r "$tmp/run" --state-dir "$tmp/state"
}

# The baseline: the samples as they are (the slower of two runs).
for _ in 1 2; do
  start_ns=$(date +%s%N)
  timeout 5 "$hbd" --check -c "$cfg" -n "$node" >/dev/null 2>&1 || { echo "FAIL: samples" >&2; exit 1; }
  ms=$(( ($(date +%s%N) - start_ns) / 1000000 ))
  [ "$ms" -gt "$base_ms" ] && base_ms=$ms
done
echo "plain hbd --check of the samples: $base_ms ms"

# authkeys as a FIFO without a writer: refused at once, by --check and by start.
rm "$cfg/authkeys" && mkfifo -m 600 "$cfg/authkeys" || exit 99
check "authkeys FIFO, --check" 1 "$cfg/authkeys: error: authkeys is not a regular file (a FIFO)"
start "authkeys FIFO, start" "$cfg/authkeys: error: authkeys is not a regular file (a FIFO)"
if [ -e "$tmp/run/hbd.pid" ]; then
  echo "FAIL: a refused start left $tmp/run/hbd.pid behind" >&2
  exit 1
fi

# authkeys as a symbolic link, even to a good 0600 file: refused.
fresh
mv "$cfg/authkeys" "$tmp/keys" && ln -s "$tmp/keys" "$cfg/authkeys" || exit 99
check "authkeys symlink" 1 "$cfg/authkeys: error: authkeys is a symbolic link"

# authkeys as a directory.
fresh
rm "$cfg/authkeys" && mkdir -m 700 "$cfg/authkeys" || exit 99
check "authkeys directory" 1 "$cfg/authkeys: error: authkeys is not a regular file (a directory)"

# ha.cf may be a symbolic link (heartbeat follows it); what it points to is checked.
fresh
mv "$cfg/ha.cf" "$tmp/ha.cf.real" && ln -s "$tmp/ha.cf.real" "$cfg/ha.cf" || exit 99
check "ha.cf symlink to a regular file" 0 ""
rm "$cfg/ha.cf" && mkfifo "$tmp/ha.cf.fifo" && ln -s "$tmp/ha.cf.fifo" "$cfg/ha.cf" || exit 99
check "ha.cf symlink to a FIFO" 1 "$cfg/ha.cf: error: $cfg/ha.cf is not a regular file (a FIFO)"

# haresources as a FIFO.
fresh
rm "$cfg/haresources" && mkfifo "$cfg/haresources" || exit 99
check "haresources FIFO" 1 "$cfg/haresources: error: $cfg/haresources is not a regular file (a FIFO)"

# vrrp.conf: 100,000 nested `{` is one clean error, not a crash (nor a FIFO a hang).
fresh
head -c 100000 /dev/zero | tr '\0' '{' > "$cfg/vrrp.conf" || exit 99
check "vrrp.conf nested 100000 deep" 1 "$cfg/vrrp.conf:1: error: blocks nested deeper than 32"
rm "$cfg/vrrp.conf" && mkfifo "$cfg/vrrp.conf" || exit 99
check "vrrp.conf FIFO" 1 "$cfg/vrrp.conf: error: $cfg/vrrp.conf is not a regular file (a FIFO)"
exit 0
