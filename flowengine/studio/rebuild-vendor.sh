#!/usr/bin/env bash
# Rebuild the studio's vendored front-end file from its pinned npm package:
#   bash flowengine/studio/rebuild-vendor.sh
# npm checks the tarball against the registry's integrity hash; only the built dist
# file and its licence are kept. Change VERSION here to upgrade, run, and commit the result.
set -euo pipefail
VERSION=2.18.5
PACKAGE=@twilio/voice-sdk
HERE="$(cd "$(dirname "$0")" && pwd)"
OUT="$HERE/static/vendor"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
npm pack --silent "$PACKAGE@$VERSION" > /dev/null
tar xzf twilio-voice-sdk-"$VERSION".tgz package/dist/twilio.min.js package/LICENSE.md
mkdir -p "$OUT"
cp package/dist/twilio.min.js "$OUT/twilio-voice.min.js"
cp package/LICENSE.md "$OUT/twilio-voice.LICENSE.md"
SUM="$(sha256sum "$OUT/twilio-voice.min.js" | cut -d' ' -f1)"
printf '%s@%s dist/twilio.min.js sha256:%s\n' "$PACKAGE" "$VERSION" "$SUM" > "$OUT/VENDORED"
cat "$OUT/VENDORED"
