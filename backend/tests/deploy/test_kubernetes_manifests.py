"""The Kubernetes manifests in deploy/kubernetes/, checked without a cluster.

- every document is validated, strictly (an unknown or misspelt field fails), against the
  Kubernetes API's JSON schemas for the oldest version the manifests need (1.30: the container
  `appArmorProfile` field) and the newest one `kubernetes-validate` ships; its schemas are part
  of the package, so this needs no network;
- kustomization.yaml lists every manifest but the example Secret, which is never applied;
- the security properties, read from the parsed YAML: the API without any privilege, the worker
  with exactly the compose files' capability set and never privileged, the worker's grace period
  longer than the longest run, no secret value in any manifest;
- the wiring: the HPA scales the API's Deployment, each PodDisruptionBudget and Service selects
  its pods, the probes send a Host header the API serves, the settings are ones execbox accepts.

They have not been applied to a cluster: a valid schema says nothing about a node's kernel,
its runtime's defaults or the network plugin (deploy/kubernetes/README.md).
"""

from __future__ import annotations

import copy
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import kubernetes_validate  # type: ignore[import-untyped]
import pytest
import yaml

from execbox.api.front_door import LOOPBACK_HOSTS
from execbox.settings import Settings

REPO = Path(__file__).resolve().parents[3]
KUBERNETES = REPO / "deploy" / "kubernetes"
KUSTOMIZATION = "kustomization.yaml"
EXAMPLE_SECRET = "secret.example.yaml"
PROD_COMPOSE = REPO / "docker" / "docker-compose.prod.yml"
# The oldest version the manifests need (the container `appArmorProfile` field, the preStop
# `sleep` action) and the newest whose schemas kubernetes-validate ships.
KUBERNETES_VERSIONS = ("1.30", "1.37")
NAMESPACE = "execbox"
SECRET_NAME = "execbox-secrets"
CONFIG_NAME = "execbox-config"
# The settings that are secrets: only ever by reference to the operator's Secret.
SECRET_SETTINGS = {"SECRET_KEY", "POSTGRES_PASSWORD", "REDIS_URL", "METRICS_TOKEN", "DATABASE_URL"}
# The worker's privileges, each justified in worker-deployment.yaml and docker/README.md: adding
# one must be a deliberate change of this test as well.
WORKER_CAPABILITIES = {"SYS_ADMIN", "SETUID", "SETGID", "KILL", "DAC_OVERRIDE"}
LONGEST_RUN_S = Settings.model_fields["EXECUTION_TIMEOUT_MAX"].default


def _documents(path: Path) -> list[dict[str, Any]]:
    documents = [document for document in yaml.safe_load_all(path.read_text()) if document is not None]
    assert all(isinstance(document, dict) for document in documents), path
    return documents


def _manifest_files() -> list[str]:
    return sorted(path.name for path in KUBERNETES.glob("*.yaml") if path.name != KUSTOMIZATION)


def _applied() -> list[dict[str, Any]]:
    """Every object `kubectl apply -k` creates, in the order of the kustomization."""
    return [
        document
        for name in _documents(KUBERNETES / KUSTOMIZATION)[0]["resources"]
        for document in _documents(KUBERNETES / name)
    ]


def _object(kind: str, name: str) -> dict[str, Any]:
    found = [o for o in _applied() if o["kind"] == kind and o["metadata"]["name"] == name]
    assert len(found) == 1, f"{kind}/{name}: {len(found)} objects"
    return found[0]


def _pod(deployment: str) -> dict[str, Any]:
    spec = _object("Deployment", deployment)["spec"]["template"]["spec"]
    assert isinstance(spec, dict)
    return spec


def _container(deployment: str) -> dict[str, Any]:
    containers = _pod(deployment)["containers"]
    assert len(containers) == 1, f"{deployment}: one container expected"
    assert not _pod(deployment).get("initContainers"), f"{deployment}: init containers unchecked here"
    container = containers[0]
    assert isinstance(container, dict)
    return container


def _env(container: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {entry["name"]: entry for entry in container.get("env", [])}


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _quantity_mib(quantity: str) -> float:
    units = {"Ki": 1 / 1024, "Mi": 1, "Gi": 1024}
    match = re.fullmatch(r"(\d+)(Ki|Mi|Gi)", quantity)
    assert match, f"{quantity!r}: not a quantity this test reads"
    return int(match[1]) * units[match[2]]


# --- Schemas -------------------------------------------------------------------------------


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
@pytest.mark.parametrize("name", _manifest_files())
def test_every_document_is_valid_against_the_kubernetes_schemas(name: str, version: str) -> None:
    documents = _documents(KUBERNETES / name)
    assert documents, f"{name} holds no document"
    for document in documents:
        # Strict: additionalProperties false everywhere. A kind without a schema raises too.
        kubernetes_validate.validate(document, version, strict=True)
        where = f"{name}: {document['kind']}/{document['metadata']['name']}"
        if document["kind"] != "Namespace":
            assert document["metadata"].get("namespace") == NAMESPACE, where
        assert document["metadata"]["labels"]["app.kubernetes.io/name"] == "execbox", where


@pytest.mark.parametrize(
    ("path", "value"),
    [
        # A misspelt field (readOnlyRootFileSystem) that a lax check would drop silently.
        (("spec", "template", "spec", "containers", 0, "securityContext", "readOnlyRootFileSystem"), True),
        (("spec", "replicas"), "two"),
        (("spec", "template", "spec", "terminationGracePeriod"), 130),
    ],
)
def test_the_validation_refuses_what_a_cluster_would(path: tuple[str | int, ...], value: object) -> None:
    deployment = copy.deepcopy(_object("Deployment", "execbox-api"))
    kubernetes_validate.validate(deployment, KUBERNETES_VERSIONS[-1], strict=True)
    target: Any = deployment
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBERNETES_VERSIONS[-1], strict=True)


def test_the_kustomization_applies_every_manifest_but_the_example_secret() -> None:
    (kustomization,) = _documents(KUBERNETES / KUSTOMIZATION)
    assert kustomization["kind"] == "Kustomization"
    assert kustomization["namespace"] == NAMESPACE
    resources = kustomization["resources"]
    assert len(resources) == len(set(resources)), "a resource listed twice"
    assert set(resources) == set(_manifest_files()) - {EXAMPLE_SECRET}
    assert not any(document["kind"] == "Secret" for document in _applied())
    # Every image the pods run can be replaced in the kustomization (`images`).
    images = {entry["name"] for entry in kustomization["images"]}
    for deployment in ("execbox-api", "execbox-worker"):
        assert _container(deployment)["image"].rsplit(":", 1)[0] in images, deployment


def test_kustomize_builds_the_same_objects() -> None:
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        pytest.skip("kubectl is not installed: `kubectl kustomize` (local, no cluster) not tried")
    built = subprocess.run(
        [kubectl, "kustomize", str(KUBERNETES)], capture_output=True, text=True, timeout=120, check=False
    )
    assert built.returncode == 0, built.stderr
    objects = [document for document in yaml.safe_load_all(built.stdout) if document]
    expected = {(o["kind"], o["metadata"]["name"]) for o in _applied()}
    assert {(o["kind"], o["metadata"]["name"]) for o in objects} == expected
    for document in objects:
        kubernetes_validate.validate(document, KUBERNETES_VERSIONS[-1], strict=True)


# --- Privileges ----------------------------------------------------------------------------


@pytest.mark.parametrize("deployment", ["execbox-api", "execbox-worker"])
def test_no_pod_shares_the_host(deployment: str) -> None:
    pod = _pod(deployment)
    for field in ("hostNetwork", "hostPID", "hostIPC"):
        assert not pod.get(field, False), f"{deployment}: {field}"
    assert not any("hostPath" in volume for volume in pod.get("volumes", [])), deployment
    # Neither pod talks to the Kubernetes API; untrusted code runs in the worker's.
    assert pod["automountServiceAccountToken"] is False
    # A Service named `postgres` would set POSTGRES_PORT=tcp://..., which the settings refuse.
    assert pod["enableServiceLinks"] is False
    assert not _container(deployment)["securityContext"].get("privileged", False)


def test_the_api_runs_without_any_privilege() -> None:
    pod = _pod("execbox-api")
    context = _container("execbox-api")["securityContext"]
    assert context["capabilities"] == {"drop": ["ALL"]}
    assert context["allowPrivilegeEscalation"] is False
    assert context["readOnlyRootFilesystem"] is True
    assert context["runAsNonRoot"] is True and pod["securityContext"]["runAsNonRoot"] is True
    # The image's user (docker/Dockerfile.api), never root.
    assert context["runAsUser"] == pod["securityContext"]["runAsUser"] == 10001
    assert context["seccompProfile"] == pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    assert "appArmorProfile" not in context and "appArmorProfile" not in pod["securityContext"]
    mounts = {mount["mountPath"] for mount in _container("execbox-api")["volumeMounts"]}
    assert mounts == {"/tmp"}


def test_the_worker_gets_exactly_its_capabilities_and_never_privileged() -> None:
    context = _container("execbox-worker")["securityContext"]
    assert context["privileged"] is False
    assert context["allowPrivilegeEscalation"] is False
    assert context["capabilities"]["drop"] == ["ALL"]
    assert len(context["capabilities"]["add"]) == len(WORKER_CAPABILITIES)
    assert set(context["capabilities"]["add"]) == WORKER_CAPABILITIES
    # The same set as the production compose file's (docker/README.md justifies each).
    compose_worker = yaml.safe_load(PROD_COMPOSE.read_text())["services"]["worker"]
    assert set(compose_worker["cap_add"]) == WORKER_CAPABILITIES
    assert context["readOnlyRootFilesystem"] is True
    # Root as in the image: mounts, pivot_root, cgroups, the switch to each run's slot uid.
    assert context["runAsUser"] == 0
    # Unconfined, as compose's seccomp=unconfined / apparmor=unconfined (or a node's own
    # profile with pivot_root added); each run gets execbox's own seccomp filter.
    assert context["seccompProfile"]["type"] in ("Unconfined", "Localhost")
    assert context["appArmorProfile"]["type"] in ("Unconfined", "Localhost")
    # No host cgroup hierarchy, no host path at all: its own cgroup namespace is the default.
    mounts = {mount["mountPath"]: mount["name"] for mount in _container("execbox-worker")["volumeMounts"]}
    assert set(mounts) == {"/tmp", "/run/execbox"}
    volumes = {volume["name"]: volume for volume in _pod("execbox-worker")["volumes"]}
    for name in mounts.values():
        assert volumes[name]["emptyDir"]["sizeLimit"], name


def test_worker_pods_never_share_a_node_and_its_slot_uids() -> None:
    # The slot-uid range locks live in an emptyDir of each pod: two worker pods on one node would
    # both take the first range. One worker pod per node keeps uids apart.
    rules = _pod("execbox-worker")["affinity"]["podAntiAffinity"][
        "requiredDuringSchedulingIgnoredDuringExecution"
    ]
    labels = _object("Deployment", "execbox-worker")["spec"]["template"]["metadata"]["labels"]
    assert any(
        rule["topologyKey"] == "kubernetes.io/hostname"
        and rule["labelSelector"]["matchLabels"].items() <= labels.items()
        for rule in rules
    )


def test_a_stopped_worker_finishes_its_runs() -> None:
    assert isinstance(LONGEST_RUN_S, float) and LONGEST_RUN_S > 0
    assert _pod("execbox-worker")["terminationGracePeriodSeconds"] > LONGEST_RUN_S
    assert _pod("execbox-api")["terminationGracePeriodSeconds"] > LONGEST_RUN_S
    compose_grace = yaml.safe_load(PROD_COMPOSE.read_text())["services"]["worker"]["stop_grace_period"]
    assert _pod("execbox-worker")["terminationGracePeriodSeconds"] >= int(compose_grace.rstrip("s"))


# --- Secrets -------------------------------------------------------------------------------


def test_no_manifest_embeds_a_secret() -> None:
    secret_word = re.compile(r"SECRET|PASSWORD|TOKEN|(REDIS|DATABASE)_URL", re.IGNORECASE)
    url_with_credentials = re.compile(r"\w+://[^\s/@]*:[^\s/@]+@")
    for document in _applied():
        where = f"{document['kind']}/{document['metadata']['name']}"
        assert document["kind"] != "Secret", where
        assert not any(url_with_credentials.search(text) for text in _strings(document)), where
        if document["kind"] == "ConfigMap":
            assert not [key for key in document["data"] if secret_word.search(key)], where
    for deployment in ("execbox-api", "execbox-worker"):
        container = _container(deployment)
        for source in container["envFrom"]:
            assert set(source) <= {"configMapRef", "secretRef"}, deployment
            if "secretRef" in source:
                assert source["secretRef"]["name"] == SECRET_NAME, deployment
        for name, entry in _env(container).items():
            if name in SECRET_SETTINGS or secret_word.search(name):
                assert "value" not in entry, f"{deployment}: {name} is written in the manifest"
                reference = entry["valueFrom"]["secretKeyRef"]
                assert (reference["name"], reference["key"]) == (SECRET_NAME, name), f"{deployment}: {name}"


def test_the_example_secret_names_every_required_key_and_is_never_applied() -> None:
    (example,) = _documents(KUBERNETES / EXAMPLE_SECRET)
    assert example["kind"] == "Secret" and example["metadata"]["name"] == SECRET_NAME
    text = (KUBERNETES / EXAMPLE_SECRET).read_text()
    assert f"kubectl -n {NAMESPACE} create secret generic {SECRET_NAME}" in text
    assert all("change-me" in value for value in example["stringData"].values())
    assert EXAMPLE_SECRET not in _documents(KUBERNETES / KUSTOMIZATION)[0]["resources"]
    for deployment in ("execbox-api", "execbox-worker"):
        for name, entry in _env(_container(deployment)).items():
            reference = entry.get("valueFrom", {}).get("secretKeyRef")
            if reference and not reference.get("optional", False):
                assert name in example["stringData"], f"{deployment} needs {name}"
                assert f"--from-literal={name}=" in text, name


# --- Wiring and settings -------------------------------------------------------------------


def test_the_hpa_scales_the_api_deployment_on_cpu() -> None:
    spec = _object("HorizontalPodAutoscaler", "execbox-api")["spec"]
    target = spec["scaleTargetRef"]
    assert (target["apiVersion"], target["kind"], target["name"]) == ("apps/v1", "Deployment", "execbox-api")
    _object("Deployment", "execbox-api")
    assert 2 <= spec["minReplicas"] < spec["maxReplicas"]
    (metric,) = spec["metrics"]
    assert metric["type"] == "Resource" and metric["resource"]["name"] == "cpu"
    assert 0 < metric["resource"]["target"]["averageUtilization"] < 100
    # Utilization is a percentage of the request: without one the HPA cannot act.
    assert _container("execbox-api")["resources"]["requests"]["cpu"]


@pytest.mark.parametrize(
    ("kind", "name", "deployment"),
    [
        ("PodDisruptionBudget", "execbox-api", "execbox-api"),
        ("PodDisruptionBudget", "execbox-worker", "execbox-worker"),
        ("Service", "execbox-api", "execbox-api"),
        ("NetworkPolicy", "execbox-api", "execbox-api"),
        ("NetworkPolicy", "execbox-worker", "execbox-worker"),
    ],
)
def test_selectors_select_their_pods_only(kind: str, name: str, deployment: str) -> None:
    spec = _object(kind, name)["spec"]
    if kind == "Service":
        selector = spec["selector"]
    else:
        selector = spec["podSelector" if kind == "NetworkPolicy" else "selector"]["matchLabels"]
    assert selector, f"{kind}/{name} selects every pod"
    for candidate in ("execbox-api", "execbox-worker"):
        labels = _object("Deployment", candidate)["spec"]["template"]["metadata"]["labels"]
        assert (selector.items() <= labels.items()) == (candidate == deployment), f"{kind}/{name}"


def test_disruption_budgets_keep_the_service_up() -> None:
    assert _object("PodDisruptionBudget", "execbox-api")["spec"]["minAvailable"] == 1
    assert _object("PodDisruptionBudget", "execbox-worker")["spec"]["maxUnavailable"] == 1


def test_probes_reach_a_page_the_api_serves() -> None:
    container = _container("execbox-api")
    assert container["command"] == ["execbox", "serve", "--host", "0.0.0.0", "--port", "8000"]
    assert container["ports"][0]["containerPort"] == 8000
    probes = [container[probe] for probe in ("readinessProbe", "livenessProbe", "startupProbe")]
    http = [probe["httpGet"] for probe in probes if "httpGet" in probe]
    assert any(get["path"] == "/health" for get in http)
    for get in http:
        # The kubelet would send the pod's IP as Host, which the API answers with 400.
        hosts = {header["value"] for header in get["httpHeaders"] if header["name"].lower() == "host"}
        assert len(hosts) == 1 and hosts <= LOOPBACK_HOSTS, get
    worker = _container("execbox-worker")
    assert worker["livenessProbe"]["httpGet"] == {"path": "/metrics", "port": "metrics"}
    assert {port["name"]: port["containerPort"] for port in worker["ports"]} == {"metrics": 9100}


def test_the_settings_are_the_production_compose_files_and_execbox_accepts_them() -> None:
    config = _object("ConfigMap", CONFIG_NAME)["data"]
    assert all(isinstance(value, str) for value in config.values()), "ConfigMap values must be strings"
    assert set(config) <= set(Settings.model_fields), set(config) - set(Settings.model_fields)
    compose = yaml.safe_load(PROD_COMPOSE.read_text())["services"]
    for deployment, service in (("execbox-api", "api"), ("execbox-worker", "worker")):
        container = _container(deployment)
        assert {"configMapRef": {"name": CONFIG_NAME}} in container["envFrom"]
        provided = set(config) | set(_env(container))
        missing = set(compose[service]["environment"]) - provided
        assert not missing, f"{deployment} lacks {missing} of the compose file's {service}"
    assert config["EXECUTION_BACKEND"] == "queue" and config["ENVIRONMENT"] == "production"
    placeholders = {"SECRET_KEY": "k" * 40, "REDIS_URL": "redis://redis:6379/0", "POSTGRES_PASSWORD": "pw"}
    given = {name: value for name, value in config.items() if value}  # empty is unset (env_ignore_empty)
    settings = Settings(_env_file=None, **given, **placeholders)  # type: ignore[arg-type]
    assert settings.PUBLIC_URL and settings.PUBLIC_URL.startswith("https://")
    assert settings.FORWARDED_ALLOW_IPS not in ("", "*")
    # Every run's cgroup sits inside the sandboxes' common group, inside the worker's: that group
    # (+ ~1 GiB for the worker itself) must fit under its memory limit, and hold one largest run.
    limit_mib = _quantity_mib(_container("execbox-worker")["resources"]["limits"]["memory"])
    assert settings.SANDBOX_MEMORY_TOTAL_MB is not None
    assert settings.MEMORY_LIMIT_MAX <= settings.SANDBOX_MEMORY_TOTAL_MB <= limit_mib - 1024


def test_the_ingress_routes_the_public_name_to_the_api_over_tls() -> None:
    spec = _object("Ingress", "execbox-api")["spec"]
    config = _object("ConfigMap", CONFIG_NAME)["data"]
    (rule,) = spec["rules"]
    assert rule["host"] in config["ALLOWED_HOSTS"].split(",")
    assert config["PUBLIC_URL"] == f"https://{rule['host']}"
    assert rule["host"] in spec["tls"][0]["hosts"]
    (path,) = rule["http"]["paths"]
    assert path["backend"]["service"] == {"name": "execbox-api", "port": {"name": "http"}}
