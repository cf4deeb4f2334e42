#!/usr/bin/env bash
# Train the Rasa model only when its inputs changed. Models are kept in $TZN_CACHE/models by the
# hash of their inputs, so a fresh clone on the same machine reuses them.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
cd "$here"
cache="${TZN_CACHE:-$HOME/.cache/tzn}/models"
inputs=$(find bot/config.yml bot/domain bot/data nlu/data nlu/components nlu/parsing knowledge/vocabulary.yml requirements/bot.lock \
           -type f \( -name '*.yml' -o -name '*.yaml' -o -name '*.py' -o -name '*.lock' -o -name '*.txt' \) 2>/dev/null | sort)
key=$(for f in $inputs; do echo "$f"; cat "$f"; done | sha256sum | cut -c1-16)
model="$cache/model-$key.tar.gz"
mkdir -p "$cache" bot/models
if [ ! -f "$model" ]; then
  echo ">> Training the Rasa model ($key); this takes a few minutes"
  start=$(date +%s)
  RASA_TELEMETRY_ENABLED=false PYTHONPATH="$here" .venv-bot/bin/python -m rasa train --config bot/config.yml --domain bot/domain \
      --data bot/data nlu/data --out "$cache" --fixed-model-name "partial-$key" --quiet
  mv "$cache/partial-$key.tar.gz" "$model"
  echo ">> Model trained in $(( $(date +%s) - start )) s"
fi
ln -sfn "$model" bot/models/current.tar.gz
