"""Render a kustomization (deploy/k8s/) in Python: there is no kustomize or kubectl binary here.

Only the subset deploy/k8s uses, and anything else is refused (a field this renderer ignored would
render a different cluster than `kubectl apply -k`):

- `resources`: YAML files, or directories holding a kustomization.yaml (rendered first);
- `namespace`: set on every namespaced object;
- `images`: `name` → `newName` / `newTag` in containers' `image`;
- `patches`: `path` or inline `patch`. A patch that is a YAML list is JSON 6902 (add, replace,
  remove; needs `target: {kind, name}`); otherwise each document is a strategic merge patch of the
  object with its kind and name: maps merge, `null` removes a key, lists of maps that all carry
  `name` (containers, env, ports, volumes) merge item by item (`$patch: delete` on an item removes
  it), other lists are replaced; `$patch: delete` on a document removes the object.

    python -m tests.kustomize deploy/k8s/overlays/production    # prints the rendered YAML
"""
from __future__ import annotations

import copy
import sys
from pathlib import Path
from typing import Any

import yaml

SUPPORTED = {"apiVersion", "kind", "resources", "namespace", "images", "patches"}
CLUSTER_SCOPED = {"Namespace", "ClusterRole", "ClusterRoleBinding", "PersistentVolume", "StorageClass",
                  "CustomResourceDefinition", "PriorityClass", "IngressClass"}


class KustomizeError(ValueError):
    pass


def render(directory: Path) -> list[dict[str, Any]]:
    directory = Path(directory)
    kustomization = yaml.safe_load((directory / "kustomization.yaml").read_text())
    unknown = set(kustomization) - SUPPORTED
    if unknown:
        raise KustomizeError(f"{directory}: unsupported kustomization fields {sorted(unknown)}")
    documents: list[dict[str, Any]] = []
    for entry in kustomization.get("resources", []):
        path = (directory / entry).resolve()
        if path.is_dir():
            documents += render(path)
        else:
            documents += [doc for doc in yaml.safe_load_all(path.read_text()) if doc]
    for patch in kustomization.get("patches", []):
        documents = apply_patch(documents, patch, directory)
    if "namespace" in kustomization:
        for doc in documents:
            if doc["kind"] not in CLUSTER_SCOPED:
                doc["metadata"]["namespace"] = kustomization["namespace"]
    for image in kustomization.get("images", []):
        for doc in documents:
            for container in containers(doc):
                name, tag = split_image(container["image"])
                if name == image["name"]:
                    container["image"] = f"{image.get('newName', name)}:{image.get('newTag', tag or 'latest')}"
    return documents


def split_image(image: str) -> tuple[str, str]:
    """`registry:5000/a/b:tag` → (`registry:5000/a/b`, `tag`)."""
    head, _, last = image.rpartition("/")
    name, _, tag = last.partition(":")
    return (f"{head}/{name}" if head else name), tag


def containers(doc: dict[str, Any]) -> list[dict[str, Any]]:
    spec = doc.get("spec", {}).get("template", {}).get("spec", {})
    return spec.get("initContainers", []) + spec.get("containers", [])


def key(doc: dict[str, Any]) -> tuple[str, str]:
    return doc["kind"], doc["metadata"]["name"]


def apply_patch(documents: list[dict[str, Any]], entry: dict[str, Any], directory: Path) -> list[dict[str, Any]]:
    unknown = set(entry) - {"path", "patch", "target"}
    if unknown:
        raise KustomizeError(f"unsupported patch fields {sorted(unknown)}")
    text = (directory / entry["path"]).read_text() if "path" in entry else entry["patch"]
    parsed = [doc for doc in yaml.safe_load_all(text) if doc is not None]
    if len(parsed) == 1 and isinstance(parsed[0], list):
        target = entry.get("target") or {}
        if set(target) != {"kind", "name"}:
            raise KustomizeError("a JSON 6902 patch needs target: {kind, name}")
        found = [doc for doc in documents if key(doc) == (target["kind"], target["name"])]
        if len(found) != 1:
            raise KustomizeError(f"JSON 6902 target {target} matches {len(found)} objects")
        for operation in parsed[0]:
            json6902(found[0], operation)
        return documents
    if entry.get("target"):
        raise KustomizeError("targets are only supported for JSON 6902 patches")
    for patch in parsed:
        matches = [i for i, doc in enumerate(documents) if key(doc) == key(patch)]
        if len(matches) != 1:
            raise KustomizeError(f"patch {key(patch)} matches {len(matches)} objects")
        if patch.get("$patch") == "delete":
            del documents[matches[0]]
        else:
            documents[matches[0]] = merge(documents[matches[0]], patch)
    return documents


def merge(base: Any, patch: Any) -> Any:
    if isinstance(base, dict) and isinstance(patch, dict):
        merged = copy.deepcopy(base)
        for name, value in patch.items():
            if value is None:
                merged.pop(name, None)
            elif name in merged:
                merged[name] = merge(merged[name], value)
            else:
                merged[name] = strip_directives(value)
        return merged
    if isinstance(base, list) and isinstance(patch, list) and by_name(base) and by_name(patch):
        merged = copy.deepcopy(base)
        for item in patch:
            index = next((i for i, old in enumerate(merged) if old["name"] == item["name"]), None)
            if item.get("$patch") == "delete":
                if index is None:
                    raise KustomizeError(f"no item {item['name']!r} to delete")
                del merged[index]
            elif index is None:
                merged.append(strip_directives(item))
            else:
                merged[index] = merge(merged[index], item)
        return merged
    return strip_directives(patch)


def strip_directives(value: Any) -> Any:
    if isinstance(value, dict):
        if "$patch" in value:
            raise KustomizeError(f"$patch {value['$patch']!r} on something not in the base")
        return {k: strip_directives(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [strip_directives(v) for v in value]
    return copy.deepcopy(value)


def by_name(items: list[Any]) -> bool:
    return bool(items) and all(isinstance(item, dict) and "name" in item for item in items)


def json6902(doc: dict[str, Any], operation: dict[str, Any]) -> None:
    op, path = operation["op"], operation["path"]
    if op not in {"add", "replace", "remove"}:
        raise KustomizeError(f"unsupported JSON 6902 operation {op!r}")
    parts = [part.replace("~1", "/").replace("~0", "~") for part in path.lstrip("/").split("/")]
    parent: Any = doc
    for part in parts[:-1]:
        parent = parent[int(part)] if isinstance(parent, list) else parent[part]
    last = parts[-1]
    if isinstance(parent, list):
        if last == "-" and op == "add":
            parent.append(copy.deepcopy(operation["value"]))
            return
        index = int(last)
        if index >= len(parent):
            raise KustomizeError(f"{path}: no such item")
        if op == "remove":
            del parent[index]
        elif op == "add":
            parent.insert(index, copy.deepcopy(operation["value"]))
        else:
            parent[index] = copy.deepcopy(operation["value"])
        return
    if op in {"replace", "remove"} and last not in parent:
        raise KustomizeError(f"{path}: nothing to {op}")
    if op == "remove":
        del parent[last]
    else:
        parent[last] = copy.deepcopy(operation["value"])


if __name__ == "__main__":
    print(yaml.safe_dump_all(render(Path(sys.argv[1])), sort_keys=False), end="")
