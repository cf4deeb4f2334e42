"""docker-compose.yml describes the production services; no Docker engine runs here, so check
that it is valid and that what it names exists."""
from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
API_REPLICAS = sorted(name for name in SERVICES if name.startswith("api-"))
RASA_REPLICAS = sorted(name for name in SERVICES if name.startswith("rasa-"))
API, RASA = SERVICES["api-1"], SERVICES["rasa-1"]


def test_the_production_services_are_all_there():
    assert {"proxy", "api-1", "api-2", "rasa-1", "rasa-2", "actions", "postgres", "redis"} == set(SERVICES)


def test_built_services_name_existing_dockerfiles():
    built = {name: s["build"] for name, s in SERVICES.items() if "build" in s}
    assert set(built) == {"api-1", "api-2", "rasa-1", "rasa-2", "actions"}
    images = {name: SERVICES[name]["image"] for name in built}
    assert images == {"api-1": "tzn-svc", "api-2": "tzn-svc", "rasa-1": "tzn-bot", "rasa-2": "tzn-bot", "actions": "tzn-bot"}
    for name, build in built.items():
        dockerfile = ROOT / build.get("context", ".") / build["dockerfile"]
        assert dockerfile.is_file(), f"{name}: {dockerfile} is missing"


def test_commands_name_existing_modules_and_files():
    for name, service in SERVICES.items():
        command = service.get("command")
        if not command or not isinstance(command, list) or command[0] != "python":
            continue
        assert command[1] == "-m", f"{name}: expected `python -m <module>`"
        module = command[2]
        local = ROOT / module.replace(".", "/")
        assert (local / "__main__.py").exists() or module in {"rasa", "rasa_sdk"}, f"{name}: no module {module}"
        for flag, value in zip(command, command[1:]):
            if flag in {"--endpoints", "--credentials"}:
                assert (ROOT / value).is_file(), f"{name}: {value} is missing"
            if flag == "--actions":
                assert (ROOT / value / "__init__.py").is_file(), f"{name}: no actions package {value}"


def test_dockerfiles_copy_existing_paths_and_run_real_modules():
    for dockerfile in (ROOT / "docker").glob("Dockerfile.*"):
        for line in dockerfile.read_text().splitlines():
            match = re.match(r"COPY (\S+) ", line)
            if match:
                assert (ROOT / match.group(1)).exists(), f"{dockerfile.name}: COPY {match.group(1)} is missing"


def test_only_the_proxy_is_published():
    published = [name for name, s in SERVICES.items() if s.get("ports")]
    assert published == ["proxy"]
    assert SERVICES["proxy"]["networks"] == ["edge"]


def test_rasa_the_actions_redis_and_postgres_live_on_a_network_with_no_way_in_or_out():
    assert COMPOSE["networks"]["internal"] == {"internal": True}
    for name in (*RASA_REPLICAS, "actions", "redis", "postgres"):
        assert SERVICES[name]["networks"] == ["internal"], name
        assert not SERVICES[name].get("ports"), name
    for name in API_REPLICAS:   # the proxy reaches it, it reaches Twilio
        assert set(SERVICES[name]["networks"]) == {"internal", "edge"}, name


def caddyfile() -> list[list[str]]:
    """docker/Caddyfile as lines of tokens, without comments."""
    lines = [line.split("#", 1)[0].split() for line in (ROOT / "docker" / "Caddyfile").read_text().splitlines()]
    return [line for line in lines if line]


def test_the_proxy_refuses_the_internal_routes_and_forwards_the_rest_to_the_api():
    proxy = SERVICES["proxy"]
    assert "./docker/Caddyfile:/etc/caddy/Caddyfile:ro" in proxy["volumes"]
    lines = caddyfile()
    matchers = {line[0]: line[1:] for line in lines if line[0].startswith("@")}
    refused = [line[1] for line in lines if line[0] == "respond" and int(line[-1]) in (403, 404)]
    assert refused, "no `respond <matcher> 403|404` in docker/Caddyfile"
    paths = set()
    for name in refused:
        kind, *values = matchers[name]
        if kind == "path":
            paths.update(values)
    assert {"/internal", "/internal/*"} <= paths
    assert ["reverse_proxy", *(f"{name}:8000" for name in API_REPLICAS), "{"] in lines
    assert lines[0] == ["{$PUBLIC_BASE_URL}", "{"] and "PUBLIC_BASE_URL" in proxy["environment"]


def test_every_internal_service_needs_its_secret():
    env = API["environment"]
    password = "${REDIS_PASSWORD:?set REDIS_PASSWORD}"
    assert password in SERVICES["redis"]["command"][SERVICES["redis"]["command"].index("--requirepass") + 1]
    assert env["REDIS_URL"].startswith(f"redis://:{password}@redis:")
    for service in (*API_REPLICAS, *RASA_REPLICAS):   # the trackers' store, read by Rasa and erased by the API
        assert SERVICES[service]["environment"]["TRACKER_STORE_URL"].startswith(f"redis://:{password}@redis:")
    endpoints = yaml.safe_load((ROOT / "bot" / "endpoints.docker.yml").read_text())
    for store in ("tracker_store", "lock_store"):
        if endpoints.get(store, {}).get("type") == "redis":
            assert endpoints[store]["password"] == "${REDIS_PASSWORD}", store
    assert RASA["environment"]["REDIS_PASSWORD"] == password
    assert RASA["environment"]["RASA_AUTH_TOKEN"] == env["RASA_AUTH_TOKEN"]   # bot/credentials.yml
    credentials = yaml.safe_load((ROOT / "bot" / "credentials.yml").read_text())
    assert credentials == {"bot.rest_channel.TokenRestInput": {"token": "${RASA_AUTH_TOKEN}"}}
    rasa = RASA["command"]
    assert rasa[rasa.index("--auth-token") + 1] == env["RASA_AUTH_TOKEN"] == "${RASA_AUTH_TOKEN:?set RASA_AUTH_TOKEN}"


def test_api_settings_exist():
    spec = importlib.util.find_spec("api.core.config")
    assert spec is not None
    from api.core.config import Settings
    fields = {name.upper() for name in Settings.model_fields}
    env = API["environment"]
    unknown = [key for key in env if key not in fields]
    assert not unknown, f"compose sets settings the API does not read: {unknown}"


def test_the_action_server_gets_the_api_address_and_the_same_internal_token():
    api, actions = API["environment"], SERVICES["actions"]["environment"]
    assert actions["API_URL"] == "http://api:8000"
    for name in API_REPLICAS:   # `api`: an alias of every replica on the internal network
        assert "api" in SERVICES[name]["networks"]["internal"]["aliases"], name
    assert actions["INTERNAL_API_TOKEN"] == api["INTERNAL_API_TOKEN"]   # booking calls /internal/*


def test_redis_memory_is_bounded_and_the_proxy_is_trusted():
    command = SERVICES["redis"]["command"]
    assert command[command.index("--maxmemory") + 1].endswith("mb")
    assert command[command.index("--maxmemory-policy") + 1] == "volatile-ttl"   # limit counters go first
    env = API["environment"]
    assert env["FORWARDED_ALLOW_IPS"].strip("${}").split(":-", 1)[1]            # a default: the Docker networks
    from limits import parse_many
    for name in ("RATE_LIMIT_NEW_CONVERSATIONS", "RATE_LIMIT_MESSAGES", "RATE_LIMIT_ELIGIBILITY",
                 "RATE_LIMIT_CALLBACKS", "RATE_LIMIT_BOOKINGS"):
        assert parse_many(env[name].strip("${}").split(":-", 1)[1]), name       # valid `limits` notation


def test_the_api_healthcheck_is_readiness_and_the_api_knows_the_action_server():
    api = API
    assert "/health/ready" in " ".join(api["healthcheck"]["test"])
    assert api["environment"]["ACTIONS_URL"] == "http://actions:5055"


def test_two_api_and_two_rasa_replicas_run_the_same_configuration():
    assert API_REPLICAS == ["api-1", "api-2"] and RASA_REPLICAS == ["rasa-1", "rasa-2"]
    for replicas in (API_REPLICAS, RASA_REPLICAS):
        first, *others = (dict(SERVICES[name]) for name in replicas)
        for other in others:
            # api-2 waits for api-1 to be healthy (its first start migrates the schema alone)
            assert {k: v for k, v in other.items() if k != "depends_on"} == \
                   {k: v for k, v in first.items() if k != "depends_on"}
    assert SERVICES["api-2"]["depends_on"] == {"api-1": {"condition": "service_healthy"}}
    assert SERVICES["actions"]["deploy"]["replicas"] == 2   # stateless: one name for both is fine


def test_the_api_names_each_rasa_replica_and_each_exists():
    env = API["environment"]
    urls = env["RASA_URLS"].split(",")
    assert urls == [f"http://{name}:5005" for name in RASA_REPLICAS]
    assert env["RASA_URL"] in urls
    for name in RASA_REPLICAS:
        assert "5005" in SERVICES[name]["expose"]
        assert {"rasa-1", "rasa-2"} <= set(API["depends_on"])


def test_the_proxy_balances_over_the_api_replicas_with_readiness_checks():
    lines = caddyfile()
    start = lines.index(["reverse_proxy", *(f"{name}:8000" for name in API_REPLICAS), "{"])
    block = {}
    for line in lines[start + 1:]:
        if line == ["}"]:
            break
        block[line[0]] = line[1:]
    assert block["health_uri"] == ["/health/ready"]
    assert "lb_policy" in block and "lb_try_duration" in block


def test_every_service_has_a_healthcheck_and_restarts_unless_stopped():
    for name, service in SERVICES.items():
        assert service.get("restart") == "unless-stopped", name
        test = service.get("healthcheck", {}).get("test")
        assert test and test[0] in ("CMD", "CMD-SHELL"), name
    redis = SERVICES["redis"]["healthcheck"]["test"]
    assert "REDISCLI_AUTH" in redis[1] and "-a" not in redis[1].split()   # no password on a command line
