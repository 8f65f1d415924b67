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
exit 0
