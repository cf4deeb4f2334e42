#!/usr/bin/env bash
# Re-resolve requirements/<name>.in into requirements/<name>.lock in a throw-away environment.
set -euo pipefail
name="$1"; version="$2"
here="$(cd "$(dirname "$0")/.." && pwd)"
python=$("$here/scripts/find_python.sh" "$version")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$python" -m venv "$tmp/env"
"$tmp/env/bin/pip" install --quiet --upgrade pip wheel
"$tmp/env/bin/pip" install --quiet -r "$here/requirements/$name.in"
{
  echo "# Full pin set for the $name runtime (Python $version). Regenerate with: make lock-$name"
  "$tmp/env/bin/pip" freeze | sed -E 's|^([A-Za-z0-9_.-]+) @ file://.*/([a-z_]+)-([0-9.]+)-py3.*|\1==\3|'
} > "$here/requirements/$name.lock"
echo ">> requirements/$name.lock updated"
