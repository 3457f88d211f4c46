#!/usr/bin/env bash
# Regenerates the screenshots of the main pages into docs/screenshots/ with Debian's headless Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
exec ./ostium test -Dtest=Screenshots -Dsurefire.failIfNoSpecifiedTests=false -Dostium.screenshots="$PWD/docs/screenshots" \
  -Djacoco.skip=true -DfailIfNoTests=false
