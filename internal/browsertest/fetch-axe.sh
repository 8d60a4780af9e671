#!/usr/bin/env bash
# fetch-axe.sh [version]: brings axe-core's browser build from the npm
# registry (by the ordinary npm client) into axe/: axe.min.js, its licence
# and VERSION. The files are committed, so tests and CI never fetch: run this
# only to move to another axe-core version, then read the diff of VERSION and
# run `go test ./internal/browsertest` before committing.
set -euo pipefail
cd "$(dirname "$0")"
version="${1:-4.14.1}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "axe-core@$version" >/dev/null)
tar -xzf "$tmp"/axe-core-*.tgz -C "$tmp"
got=$(node -e 'console.log(require(process.argv[1]).version)' "$tmp/package/package.json")
mkdir -p axe
cp "$tmp/package/axe.min.js" axe/axe.min.js
cp "$tmp/package/LICENSE" axe/LICENSE
printf 'axe-core %s (npm axe-core@%s), MPL-2.0: see LICENSE\n' "$got" "$got" >axe/VERSION
echo "axe-core $got in $(pwd)/axe"
