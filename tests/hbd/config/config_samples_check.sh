#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs `hbd --check` on a copy of the ha.d/ samples (authkeys made 0600) so they cannot go stale.
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

for f in ha.cf authkeys haresources; do
  if [ ! -f "$HB_SOURCE/ha.d/$f" ]; then
    echo "FAIL: sample $HB_SOURCE/ha.d/$f is missing" >&2
    exit 1
  fi
  cp "$HB_SOURCE/ha.d/$f" "$tmp/$f" || exit 99
done
mkdir -p "$tmp/resource.d"
chmod 600 "$tmp/authkeys"

# The first name of the first `node` line (values may be separated by blanks or commas).
node=$(awk '$1 == "node" { split($2, a, ","); print a[1]; exit }' "$tmp/ha.cf")
if [ -z "$node" ]; then
  echo "FAIL: no node line in the ha.cf sample" >&2
  exit 1
fi

out=$("$hbd" --check -c "$tmp" -n "$node" 2>&1)
rc=$?
printf '%s\n' "$out"
if [ "$rc" -ne 0 ]; then
  echo "FAIL: hbd --check -c <samples> -n $node exited $rc (expected 0)" >&2
  exit 1
fi
if printf '%s\n' "$out" | grep -q ': error: '; then
  echo "FAIL: hbd --check printed errors for the samples" >&2
  exit 1
fi
echo "OK: the ha.d samples pass hbd --check"

# crc (no key) is refused unless ha.cf opts in; crc beside a keyed method is refused always.
check_keys() {  # KEYS INSECURE WANT_RC WANT_TEXT
  printf '%s\n' "$1" > "$tmp/authkeys"; chmod 600 "$tmp/authkeys"
  cp "$HB_SOURCE/ha.d/ha.cf" "$tmp/ha.cf"
  [ -n "$2" ] && printf '%s\n' "$2" >> "$tmp/ha.cf"
  out=$("$hbd" --check -c "$tmp" -n "$node" 2>&1); rc=$?
  if { [ "$3" = 0 ] && [ "$rc" -ne 0 ]; } || { [ "$3" != 0 ] && [ "$rc" -eq 0 ]; } \
     || ! printf '%s\n' "$out" | grep -qF "$4"; then
    printf '%s\n' "$out"
    echo "FAIL: authkeys '$1' with '$2': exit $rc, expected $3 and '$4'" >&2
    exit 1
  fi
}
check_keys $'auth 3\n3 crc' "" 1 "$tmp/authkeys:2: error: key index 3 uses crc"
check_keys $'auth 3\n3 crc' "auth_insecure_ok yes" 0 "$tmp/authkeys:2: warning: key index 3 uses crc"
check_keys $'auth 1\n1 sha1 secret\n3 crc' "auth_insecure_ok yes" 1 \
  "$tmp/authkeys:3: error: crc (line 3) and a keyed method (line 2) in one authkeys"
echo "OK: crc refused without auth_insecure_ok, accepted with it, refused beside sha1"
exit 0
