#!/usr/bin/env bash
# Measures what the production image's final stage holds, without Docker: rebuilds its file set
# (docker/Dockerfile, stage runtime) in a temp folder and writes the sizes `du -sm` reports to
# docker/image-contents.json, with a hash of the inputs so a test can tell when it is stale.
# Usage: bash scripts/image-contents.sh [KEEP_DIR]  (KEEP_DIR keeps the file set there)
set -euo pipefail
cd "$(dirname "$0")/.."
root=${1:-$(mktemp -d)}
[ -n "${1:-}" ] || trap 'rm -rf "$root"' EXIT
mkdir -p "$root"

cp package.json package-lock.json "$root/"
(cd "$root" && npm ci --omit=dev --no-audit --no-fund --loglevel=error)
sh docker/slim-node-modules.sh "$root"
node scripts/ensure-build.js
cp -r dist "$root/dist"
node -e "require('./dist/embeddings/glove-vectors').ensureConverted(process.argv[1]).catch((e) => { console.error(e); process.exit(1); })" "$root/models"
mkdir -p "$root/docker" "$root/data"
cp docker/healthcheck.js "$root/docker/"

mb() { du -sm "$1" | cut -f1; }
inputs=$(cat package-lock.json docker/Dockerfile docker/slim-node-modules.sh | sha256sum | cut -d' ' -f1)
cat > docker/image-contents.json <<JSON
{
  "command": "bash scripts/image-contents.sh",
  "inputsSha256": "$inputs",
  "megabytes": {
    "total": $(mb "$root"),
    "node_modules": $(mb "$root/node_modules"),
    "dist": $(mb "$root/dist"),
    "models": $(mb "$root/models")
  },
  "largestPackages": "$(cd "$root/node_modules" && du -sm -- [!@.]* @*/* 2>/dev/null | sort -rn | head -5 | awk '{printf "%s%s %s MB", (NR>1 ? ", " : ""), $2, $1}')"
}
JSON
cat docker/image-contents.json
