#!/usr/bin/env bash
# fetch-frontend.sh fetches the two npm packages the web pages embed and
# copies the files they use into web/assets, with VERSIONS and LICENCE
# beside them. The fetched files are committed, so building hppbot needs no
# npm: run this only to move to a new version, then look at the pages.
#
#   nhsuk-frontend       the NHS.UK design system's compiled CSS and the
#                        icons it points at; the @font-face rules (which
#                        fetch Frutiger from assets.nhs.uk) are removed, so
#                        nothing is fetched at run time and text uses the
#                        system font stack the CSS falls back to
#   @microsoft/teams-js  the Teams JavaScript library the personal tab uses
#                        for single sign-on
#
# Usage: scripts/fetch-frontend.sh [nhsuk-frontend-version] [teams-js-version]
set -euo pipefail
cd "$(dirname "$0")/.."

NHS_VERSION="${1:-10.6.1}"
TEAMS_VERSION="${2:-2.58.0}"
OUT=web/assets
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

( cd "$TMP" && npm pack --silent "nhsuk-frontend@$NHS_VERSION" "@microsoft/teams-js@$TEAMS_VERSION" >/dev/null )
mkdir -p "$TMP/nhs" "$TMP/teams"
tar xzf "$TMP"/nhsuk-frontend-*.tgz -C "$TMP/nhs"
tar xzf "$TMP"/microsoft-teams-js-*.tgz -C "$TMP/teams"

mkdir -p "$OUT/images"
# Strip the @font-face rules: they load Frutiger from assets.nhs.uk.
sed -E 's/@font-face\{[^}]*\}//g' "$TMP/nhs/package/dist/nhsuk/nhsuk-frontend.min.css" > "$OUT/nhsuk-frontend.min.css"
if grep -q 'https\?://' "$OUT/nhsuk-frontend.min.css"; then
  echo "nhsuk-frontend.min.css still points at a remote address; look before committing" >&2
  grep -o 'url(https\?://[^)]*)' "$OUT/nhsuk-frontend.min.css" >&2 || true
  exit 1
fi
# The icons the CSS points at (url(/assets/images/...)), and the favicon.
for img in $(grep -o 'url(/assets/images/[^)]*)' "$OUT/nhsuk-frontend.min.css" | sed -E 's#url\(/assets/images/([^)]*)\)#\1#' | sort -u) favicon.svg favicon.ico; do
  cp "$TMP/nhs/package/dist/nhsuk/assets/images/$img" "$OUT/images/$img"
done
cp "$TMP/teams/package/dist/umd/MicrosoftTeams.min.js" "$OUT/MicrosoftTeams.min.js"

cat > "$OUT/VERSIONS" <<V
nhsuk-frontend $NHS_VERSION (npm) — dist/nhsuk/nhsuk-frontend.min.css with its @font-face rules removed; icons from dist/nhsuk/assets/images
@microsoft/teams-js $TEAMS_VERSION (npm) — dist/umd/MicrosoftTeams.min.js
Fetched by scripts/fetch-frontend.sh.
V

{
  echo "The files in this folder come from two npm packages, both under the MIT Licence."
  echo
  echo "== nhsuk-frontend $NHS_VERSION =="
  echo "https://github.com/nhsuk/nhsuk-frontend — from its README:"
  sed -n '/^## Licence/,/^## /p' "$TMP/nhs/package/README.md" | sed '/^## [^L]/d'
  echo "MIT Licence"
  echo
  echo "Copyright (c) NHS England"
  echo
  echo "Permission is hereby granted, free of charge, to any person obtaining a copy of this software and associated documentation files (the \"Software\"), to deal in the Software without restriction, including without limitation the rights to use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies of the Software, and to permit persons to whom the Software is furnished to do so, subject to the following conditions:"
  echo
  echo "The above copyright notice and this permission notice shall be included in all copies or substantial portions of the Software."
  echo
  echo "THE SOFTWARE IS PROVIDED \"AS IS\", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE."
  echo
  echo "== @microsoft/teams-js $TEAMS_VERSION =="
  cat "$TMP/teams/package/LICENSE"
} > "$OUT/LICENCE"
echo "web/assets updated: nhsuk-frontend $NHS_VERSION, @microsoft/teams-js $TEAMS_VERSION"
