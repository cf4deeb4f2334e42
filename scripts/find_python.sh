#!/usr/bin/env bash
# Print the path of a Python interpreter of the given minor version (e.g. 3.10), or fail with advice.
set -euo pipefail
want="$1"
candidates=()
if command -v pyenv >/dev/null 2>&1; then
  root=$(pyenv root)
  for d in "$root"/versions/"$want".*; do [ -x "$d/bin/python" ] && candidates+=("$d/bin/python"); done
fi
[ -d "$HOME/.pyenv/versions" ] && for d in "$HOME"/.pyenv/versions/"$want".*; do [ -x "$d/bin/python" ] && candidates+=("$d/bin/python"); done
if command -v uv >/dev/null 2>&1; then
  p=$(uv python find "$want" 2>/dev/null || true); [ -n "$p" ] && candidates+=("$p")
fi
candidates+=("python$want" python3)
for c in "${candidates[@]}"; do
  p=$(command -v "$c" 2>/dev/null || true)
  [ -n "$p" ] || continue
  v=$("$p" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null || true)
  if [ "$v" = "$want" ]; then echo "$p"; exit 0; fi
done
echo "Python $want is needed and was not found. Install it, for example with: uv python install $want" >&2
exit 1
