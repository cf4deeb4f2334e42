#!/usr/bin/env bash
# Create (or reuse from the cache) a virtual environment for a lock file, and link it into the repository.
#   ensure_env.sh <name> <python minor version> <lock file>
# The environment lives in $TZN_CACHE/envs/<name>-<hash of lock and python>, so a fresh clone on the
# same machine reuses it; .venv-<name> is a symlink to it.
set -euo pipefail
name="$1"; version="$2"; lock="$3"
cache="${TZN_CACHE:-$HOME/.cache/tzn}"
here="$(cd "$(dirname "$0")/.." && pwd)"
python=$("$here/scripts/find_python.sh" "$version")
key=$( (cat "$lock"; "$python" -VV) | sha256sum | cut -c1-16)
target="$cache/envs/$name-$key"
link="$here/.venv-$name"
if [ ! -f "$target/.complete" ]; then
  echo ">> Creating the $name environment (Python $version) in $target"
  rm -rf "$target"
  mkdir -p "$cache/envs"
  "$python" -m venv "$target"
  log="$cache/envs/$name-$key.log"
  if ! { "$target/bin/python" -m pip install --upgrade pip wheel && "$target/bin/python" -m pip install -r "$lock"; } >"$log" 2>&1; then
    tail -n 40 "$log" >&2
    echo "!! Installing the $name environment failed; the whole log is in $log" >&2
    exit 1
  fi
  "$target/bin/python" -m pip check
  touch "$target/.complete"
fi
if [ "$(readlink "$link" 2>/dev/null)" != "$target" ]; then
  rm -rf "$link"
  ln -s "$target" "$link"
fi
