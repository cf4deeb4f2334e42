# Territoires zéro non-recours: the assistant.
#   make run    the whole assistant on its embedded defaults (SQLite, no other server)
#   make test   every test of both runtimes
SHELL := /bin/bash
.DEFAULT_GOAL := help

export TZN_CACHE ?= $(HOME)/.cache/tzn
export PYTHONPATH := $(CURDIR)
export RASA_TELEMETRY_ENABLED := false
BOT := $(CURDIR)/.venv-bot/bin/python
SVC := $(CURDIR)/.venv-svc/bin/python
MODEL := bot/models/current.tar.gz
REPORTS := var/test-reports

.PHONY: help env env-bot env-svc data secrets model run test test-bot test-svc test-e2e \
        fuzz validate nlu-eval bench fidelity staff-user sms-console telegram-webhook lock-bot lock-svc clean browser wordlists

help: ## Show this help
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN{FS=":.*## "}{printf "  \033[1m%-18s\033[0m %s\n", $$1, $$2}'

env: env-bot env-svc ## Create both environments (cached by lock file)

env-bot: ## Bot runtime: Python 3.10, Rasa 3.6.21
	@scripts/ensure_env.sh bot 3.10 requirements/bot.lock

env-svc: ## Service runtime: Python 3.11, FastAPI, OpenFisca-France
	@scripts/ensure_env.sh svc 3.11 requirements/svc.lock

data: var/data/communes.json ## Fetch the official list of communes

var/data/communes.json: scripts/fetch_communes.py
	@python3 scripts/fetch_communes.py $@

wordlists: env-bot var/data/communes.json ## Rebuild nlu/parsing/data/*_communes.txt and typo_blocklist.txt
	@$(BOT) -m nlu.parsing.wordlists

secrets: var/secrets.env ## Create local random secrets (once)

var/secrets.env: scripts/init_secrets.py
	@python3 scripts/init_secrets.py $@

model: env-bot data ## Train the Rasa model, only if its inputs changed
	@scripts/train.sh

# Exported variables win over .env, which wins over the generated secrets (honcho's -e would not).
run: env data secrets model ## Run the whole assistant: Rasa, action server, API and web chat
	@$(SVC) scripts/with_env.py .env var/secrets.env -- $(SVC) -m honcho -f Procfile -e /dev/null start

test: env data secrets model ## Run every test (bot, service, end to end)
	@rm -rf $(REPORTS); mkdir -p $(REPORTS)
	@$(MAKE) --no-print-directory validate test-bot test-svc test-e2e

validate: env-bot ## Check the Rasa training data and domain
	@cd bot && $(BOT) -m rasa data validate --fail-on-warnings --config config.yml --domain domain --data data ../nlu/data

test-bot: env-bot model ## Tests of the bot runtime: NLU components, actions, test stories
	@$(BOT) -m pytest tests/bot -q --junitxml=$(REPORTS)/bot.xml

test-svc: env-svc data ## Tests of the service runtime: API, eligibility, channels, schemathesis
	@$(SVC) -m pytest tests/svc -q --junitxml=$(REPORTS)/svc.xml

fuzz: env-svc data ## schemathesis on the API and the signed webhooks, longer than in test-svc (FUZZ_EXAMPLES=300)
	@FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-300} $(SVC) -m pytest tests/svc/test_api_fuzz.py -q

test-e2e: env data secrets model browser ## End-to-end tests through the real stack
	@$(SVC) -m pytest tests/e2e -q --junitxml=$(REPORTS)/e2e.xml

browser: ## Debian's chromium, for the browser tests (installed once, as root)
	@command -v chromium >/dev/null || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium)

nlu-eval: model ## Intent and entity-value accuracy on the held-out NLU test set
	@$(BOT) -m nlu.evaluate --model $(MODEL) --data nlu/test

bench: env data model ## Run the benchmarks and print their figures
	@$(SVC) bench/eligibility.py

fidelity: env data model ## 500 generated personas through the real stack: household sent vs described (var/fidelity/report.json)
	@$(SVC) -m tests.fidelity --count 500 --seed 1

sms-console: env-svc data model ## Chat as an SMS user: real signed webhook, local Twilio stand-in, segments shown
	@$(SVC) -m channels.sms.console

telegram-webhook: env-svc secrets ## Register the Telegram webhook (PUBLIC_BASE_URL, TELEGRAM_BOT_TOKEN, secret)
	@$(SVC) -m api.gateway.telegram_webhook

lock-bot: ## Re-resolve the bot runtime from requirements/bot.in
	@scripts/lock.sh bot 3.10

staff-user: env-svc ## Create a staff account: STAFF_PASSWORD=... make staff-user EMAIL=e ROLE=agent|coordinator|admin [TERRITORY=t]
	@$(SVC) scripts/with_env.py .env var/secrets.env -- $(SVC) -m api.staff create-user --email "$(EMAIL)" --role "$(ROLE)" $(if $(TERRITORY),--territory "$(TERRITORY)")

lock-svc: ## Re-resolve the service runtime from requirements/svc.in
	@scripts/lock.sh svc 3.11

clean: ## Remove the local links, models and runtime data (not the cache)
	rm -rf .venv-bot .venv-svc bot/models var .rasa
