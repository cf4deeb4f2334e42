"""deploy/k8s: the kustomize base and the production overlay, rendered in Python (tests/kustomize.py;
no kubectl here), checked against the Kubernetes API schemas in strict mode (kubernetes-validate)
and for what a deployment of this assistant needs: requests, probes, autoscaler targets, secrets
that exist, one stable Rasa name per replica for the API's routing."""
from __future__ import annotations

import copy
from pathlib import Path
from urllib.parse import urlsplit

import kubernetes_validate
import pytest
import yaml

from tests.kustomize import KustomizeError, render

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
KUBERNETES_VERSION = "1.30.0"
BASE_SECRET = yaml.safe_load((K8S / "base" / "secret.yaml").read_text())
# Secrets the production overlay expects the operators to create (deploy/k8s/README.md).
EXTERNAL_SECRETS = {
    "base": {},
    "production": {"tzn-secrets": set(BASE_SECRET["stringData"]), "tzn-postgres": {"DATABASE_URL"}},
}
RENDERED = {name: render(K8S / path) for name, path in (("base", "base"), ("production", "overlays/production"))}


def find(documents, kind, name):
    found = [doc for doc in documents if doc["kind"] == kind and doc["metadata"]["name"] == name]
    assert len(found) == 1, f"{kind}/{name}: {len(found)} objects"
    return found[0]


def workloads(documents):
    return [doc for doc in documents if doc["kind"] in ("Deployment", "StatefulSet")]


def pod_containers(doc):
    spec = doc["spec"]["template"]["spec"]
    return spec.get("initContainers", []) + spec["containers"]


@pytest.mark.parametrize("variant", sorted(RENDERED))
def test_every_rendered_object_is_valid_against_the_kubernetes_schemas(variant):
    documents = RENDERED[variant]
    assert len(documents) > 10
    for doc in documents:
        try:
            kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)
        except kubernetes_validate.ValidationError as error:
            pytest.fail(f"{variant}: {doc['kind']}/{doc['metadata']['name']}: {error.message} at {list(error.path)}")


def test_strict_validation_refuses_a_misspelt_field_and_a_wrong_type():
    api = copy.deepcopy(find(RENDERED["base"], "Deployment", "api"))
    container = api["spec"]["template"]["spec"]["containers"][0]
    container["readinesProbes"] = container.pop("readinessProbe")
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(api, KUBERNETES_VERSION, strict=True)
    api = copy.deepcopy(find(RENDERED["base"], "Deployment", "api"))
    api["spec"]["replicas"] = "two"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(api, KUBERNETES_VERSION, strict=True)


def test_the_base_runs_every_process_with_postgres_and_redis_and_production_drops_postgres():
    base = {(doc["kind"], doc["metadata"]["name"]) for doc in workloads(RENDERED["base"])}
    assert base == {("Deployment", "api"), ("StatefulSet", "rasa"), ("Deployment", "actions"),
                    ("StatefulSet", "postgres"), ("StatefulSet", "redis")}
    production = {(doc["kind"], doc["metadata"]["name"]) for doc in workloads(RENDERED["production"])}
    assert production == base - {("StatefulSet", "postgres")}
    for name in ("postgres", "redis"):
        claims = find(RENDERED["base"], "StatefulSet", name)["spec"]["volumeClaimTemplates"]
        assert claims and claims[0]["spec"]["resources"]["requests"]["storage"]
    for doc in RENDERED["production"]:
        assert "postgres:5432" not in yaml.safe_dump(doc), f"{doc['kind']}/{doc['metadata']['name']} still names postgres"


@pytest.mark.parametrize("variant", sorted(RENDERED))
def test_every_container_has_requests_limits_and_probes(variant):
    for doc in workloads(RENDERED[variant]):
        for container in pod_containers(doc):
            where = f"{variant}: {doc['metadata']['name']}/{container['name']}"
            resources = container.get("resources", {})
            assert {"cpu", "memory"} <= set(resources.get("requests", {})), where
            assert "memory" in resources.get("limits", {}), where
            assert container.get("readinessProbe"), where
            assert container.get("livenessProbe"), where


def test_the_probes_are_the_ones_each_process_answers_without_a_secret():
    base = RENDERED["base"]
    api = pod_containers(find(base, "Deployment", "api"))[0]
    assert api["readinessProbe"]["httpGet"]["path"] == "/health/ready"
    assert api["livenessProbe"]["httpGet"]["path"] == "/health"
    rasa = pod_containers(find(base, "StatefulSet", "rasa"))[0]
    assert rasa["readinessProbe"]["httpGet"]["path"] == "/"     # /status needs the token
    actions = pod_containers(find(base, "Deployment", "actions"))[0]
    assert actions["readinessProbe"]["httpGet"]["path"] == "/health"
    for doc in workloads(base):
        for container in pod_containers(doc):
            for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
                assert "token" not in yaml.safe_dump(container.get(probe, {})).lower()


@pytest.mark.parametrize("variant", sorted(RENDERED))
def test_the_autoscalers_target_existing_workloads_within_the_rasa_names(variant):
    documents = RENDERED[variant]
    autoscalers = {doc["metadata"]["name"]: doc for doc in documents if doc["kind"] == "HorizontalPodAutoscaler"}
    assert set(autoscalers) == {"api", "rasa"}
    for hpa in autoscalers.values():
        assert hpa["apiVersion"] == "autoscaling/v2"
        target = hpa["spec"]["scaleTargetRef"]
        workload = find(documents, target["kind"], target["name"])
        assert target["apiVersion"] == workload["apiVersion"]
        assert hpa["spec"]["minReplicas"] <= workload["spec"]["replicas"] <= hpa["spec"]["maxReplicas"]
        assert hpa["spec"]["metrics"], hpa["metadata"]["name"]
    # The API reaches each Rasa replica by its stable name: one per replica the HPA may create.
    config = find(documents, "ConfigMap", "tzn-config")["data"]
    rasa = find(documents, "StatefulSet", "rasa")
    service = find(documents, "Service", rasa["spec"]["serviceName"])
    assert service["spec"]["clusterIP"] == "None"          # headless: rasa-0.rasa, rasa-1.rasa...
    urls = [urlsplit(url) for url in config["RASA_URLS"].split(",")]
    expected = [f"rasa-{i}.{service['metadata']['name']}" for i in range(autoscalers["rasa"]["spec"]["maxReplicas"])]
    assert [url.hostname for url in urls] == expected
    assert {url.port for url in urls} == {service["spec"]["ports"][0]["port"]}


@pytest.mark.parametrize("variant", sorted(RENDERED))
def test_every_secret_and_config_reference_names_an_existing_key(variant):
    documents = RENDERED[variant]
    secrets = {name: set(keys) for name, keys in EXTERNAL_SECRETS[variant].items()}
    for doc in documents:
        if doc["kind"] == "Secret":
            secrets[doc["metadata"]["name"]] = set(doc.get("stringData", {})) | set(doc.get("data", {}))
    config = {doc["metadata"]["name"]: set(doc["data"]) for doc in documents if doc["kind"] == "ConfigMap"}
    seen = set()
    for doc in workloads(documents):
        for container in pod_containers(doc):
            for env in container.get("env", []):
                source = env.get("valueFrom", {})
                if "secretKeyRef" in source:
                    ref = source["secretKeyRef"]
                    assert ref["key"] in secrets.get(ref["name"], set()), f"{doc['metadata']['name']}: {ref}"
                    seen.add(ref["key"])
                if "configMapKeyRef" in source:
                    ref = source["configMapKeyRef"]
                    assert ref["key"] in config.get(ref["name"], set()), f"{doc['metadata']['name']}: {ref}"
            for source in container.get("envFrom", []):
                assert source["configMapRef"]["name"] in config
    assert {"PSEUDONYM_KEY", "DATA_ENCRYPTION_KEY", "INTERNAL_API_TOKEN", "RASA_AUTH_TOKEN", "TWILIO_AUTH_TOKEN",
            "TELEGRAM_BOT_TOKEN", "TELEGRAM_WEBHOOK_SECRET", "REDIS_PASSWORD"} <= seen


def test_secrets_are_never_in_the_configmap_and_production_applies_no_placeholder():
    for variant, documents in RENDERED.items():
        config = find(documents, "ConfigMap", "tzn-config")["data"]
        assert not set(config) & set(BASE_SECRET["stringData"]), variant
        assert not any("PASSWORD" in value or "@" in value for value in config.values()), variant
    assert not [doc for doc in RENDERED["production"] if doc["kind"] == "Secret"]


@pytest.mark.parametrize("variant", sorted(RENDERED))
def test_services_select_pods_and_only_the_api_has_an_ingress_with_tls(variant):
    documents = RENDERED[variant]
    labels = [doc["spec"]["template"]["metadata"]["labels"] for doc in workloads(documents)]
    for service in (doc for doc in documents if doc["kind"] == "Service"):
        selector = service["spec"]["selector"]
        assert any(selector.items() <= pod.items() for pod in labels), service["metadata"]["name"]
    ingresses = [doc for doc in documents if doc["kind"] == "Ingress"]
    assert len(ingresses) == 1
    spec = ingresses[0]["spec"]
    backends = {path["backend"]["service"]["name"] for rule in spec["rules"] for path in rule["http"]["paths"]}
    assert backends == {"api"}
    hosts = {rule["host"] for rule in spec["rules"]}
    assert hosts <= {host for tls in spec["tls"] for host in tls["hosts"]}
    public = urlsplit(find(documents, "ConfigMap", "tzn-config")["data"]["PUBLIC_BASE_URL"])
    assert public.scheme == "https" and hosts == {public.hostname}   # the Twilio signature's URL


def test_every_workload_lives_in_the_namespace_and_uses_a_tagged_image():
    for variant, documents in RENDERED.items():
        for doc in documents:
            if doc["kind"] != "Namespace":
                assert doc["metadata"]["namespace"] == "tzn", (variant, doc["metadata"]["name"])
        for doc in workloads(documents):
            for container in pod_containers(doc):
                assert ":" in container["image"].rsplit("/", 1)[-1], container["image"]
    production = {c["image"] for doc in workloads(RENDERED["production"]) for c in pod_containers(doc)}
    assert not any(image.endswith(":latest") for image in production)


def test_the_renderer_refuses_what_it_does_not_implement(tmp_path):
    (tmp_path / "kustomization.yaml").write_text("resources: []\ncommonLabels: {a: b}\n")
    with pytest.raises(KustomizeError):
        render(tmp_path)
    (tmp_path / "p.yaml").write_text("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: nothing}\n")
    (tmp_path / "kustomization.yaml").write_text(f"resources: [{K8S / 'base'}]\npatches: [{{path: p.yaml}}]\n")
    with pytest.raises(KustomizeError):
        render(tmp_path)


def test_a_strategic_merge_patch_merges_containers_and_env_by_name(tmp_path):
    (tmp_path / "kustomization.yaml").write_text(f"resources: [{K8S / 'base'}]\npatches: [{{path: p.yaml}}]\n")
    (tmp_path / "p.yaml").write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec:\n  template:\n    spec:\n"
        "      containers:\n        - name: api\n          env:\n            - {name: REDIS_URL, value: redis://x}\n"
        "            - {name: NEW, value: '1'}\n            - {name: POSTGRES_PASSWORD, $patch: delete}\n")
    api = find(render(tmp_path), "Deployment", "api")
    base = find(RENDERED["base"], "Deployment", "api")
    env = {e["name"]: e for e in pod_containers(api)[0]["env"]}
    base_env = {e["name"]: e for e in pod_containers(base)[0]["env"]}
    assert env["REDIS_URL"] == {"name": "REDIS_URL", "value": "redis://x"}
    assert env["NEW"]["value"] == "1" and "POSTGRES_PASSWORD" not in env
    assert set(env) == set(base_env) - {"POSTGRES_PASSWORD"} | {"NEW"}
    assert pod_containers(api)[0]["readinessProbe"] == pod_containers(base)[0]["readinessProbe"]


def test_the_configmap_sets_only_settings_the_api_or_the_action_server_reads():
    from api.core.config import Settings

    fields = {name.upper() for name in Settings.model_fields} | {"API_URL"}   # API_URL: the action server's
    for variant, documents in RENDERED.items():
        config = find(documents, "ConfigMap", "tzn-config")["data"]
        assert not set(config) - fields, (variant, set(config) - fields)
        assert all(isinstance(value, str) for value in config.values()), variant
