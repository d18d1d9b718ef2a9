#!/usr/bin/env bash
# Fetch axe-core (MPL-2.0) from the npm registry for the accessibility browser tests, into
# tests/vendor/ (git-ignored: the file is fetched, never committed). Pinned version, checked
# against the registry's sha512 integrity. Skipped when the file is already there.
set -euo pipefail
VERSION="4.10.2"
INTEGRITY="RE3mdQ7P3FRSe7eqCWoeQ/Z9QXrtniSjp1wUjt5nRC3WIpz5rSCve6o3fsZ2aCpJtrZjSZgjwXAoTO5k4tEI0w=="
HERE="$(cd "$(dirname "$0")/.." && pwd)"
TARGET="$HERE/tests/vendor/axe-core-$VERSION.min.js"
if [ -s "$TARGET" ]; then
  exit 0
fi
mkdir -p "$HERE/tests/vendor"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
URL="https://registry.npmjs.org/axe-core/-/axe-core-$VERSION.tgz"
echo "fetch-axe: downloading $URL" >&2
curl -fsSL --retry 2 -o "$WORK/axe.tgz" "$URL"
GOT="$(openssl dgst -sha512 -binary "$WORK/axe.tgz" | base64 -w0)"
if [ "$GOT" != "$INTEGRITY" ]; then
  echo "fetch-axe: checksum mismatch for $URL" >&2
  exit 1
fi
tar -xzf "$WORK/axe.tgz" -C "$WORK" package/axe.min.js package/LICENSE
cp "$WORK/package/LICENSE" "$HERE/tests/vendor/axe-core-LICENSE.txt"
mv "$WORK/package/axe.min.js" "$TARGET"
echo "fetch-axe: $TARGET" >&2
