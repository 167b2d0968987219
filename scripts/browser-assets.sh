#!/usr/bin/env bash
# Install the browser libraries pinned in package-lock.json and copy the files the site serves.
# axe-core, a development dependency, stays in node_modules: the browser tests inject it.
# Without npm the player still works everywhere through its MP4 fallback.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:-media/static/media/vendor}
if ! command -v npm >/dev/null; then
  echo "npm not found: hls.js not installed; browsers without native HLS will play the MP4 fallback" >&2
  echo "npm not found: axe-core not installed; the accessibility browser test cannot run" >&2
  exit 0
fi
npm ci --no-audit --no-fund --loglevel=error
mkdir -p "$target"
cp node_modules/hls.js/dist/hls.light.min.js node_modules/hls.js/dist/hls.light.min.js.map "$target/"
