"""Fetch the official list of French communes and build the compact file the services read.

Source: Etalab's `@etalab/decoupage-administratif` package (Licence Ouverte), from the npm
registry, pinned by version and checked against its published sha512 integrity hash.
The compact file keeps, for each current commune and municipal arrondissement: INSEE code,
official name, postcodes, population and département.

    python scripts/fetch_communes.py <output.json>
"""
from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import sys
import tarfile
import urllib.request
from pathlib import Path

VERSION = "6.0.0"
URL = f"https://registry.npmjs.org/@etalab/decoupage-administratif/-/decoupage-administratif-{VERSION}.tgz"
INTEGRITY = "sha512-XavYsFlbcM/prKr8hNHPKER94IHw/dsxNM4nxjWMYk6PLFACpEedvn/7wK8Baozm0dCYhWWcf+7bcWpA5pmCaQ=="
KEPT_TYPES = {"commune-actuelle", "arrondissement-municipal"}


def download() -> bytes:
    cache = Path(os.environ.get("TZN_CACHE", Path.home() / ".cache" / "tzn")) / "data"
    cache.mkdir(parents=True, exist_ok=True)
    tarball = cache / f"decoupage-administratif-{VERSION}.tgz"
    if not tarball.exists():
        with urllib.request.urlopen(URL, timeout=120) as response:
            tarball.write_bytes(response.read())
    data = tarball.read_bytes()
    digest = "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()
    if digest != INTEGRITY:
        tarball.unlink()
        raise SystemExit(f"Integrity check failed for {URL}")
    return data


def compact(communes: list[dict]) -> list[dict]:
    kept = []
    for commune in communes:
        if commune.get("type") not in KEPT_TYPES:
            continue
        kept.append({
            "code": commune["code"],
            "name": commune["nom"],
            "postcodes": sorted(commune.get("codesPostaux", [])),
            "population": commune.get("population") or 0,
            "departement": commune.get("departement"),
            "parent": commune.get("commune"),  # set on municipal arrondissements
        })
    kept.sort(key=lambda c: c["code"])
    return kept


def main(output: str) -> None:
    with tarfile.open(fileobj=io.BytesIO(download()), mode="r:gz") as archive:
        communes = json.load(archive.extractfile("package/data/communes.json"))
    rows = compact(communes)
    out = Path(output)
    out.parent.mkdir(parents=True, exist_ok=True)
    payload = {"source": f"@etalab/decoupage-administratif {VERSION}", "communes": rows}
    tmp = out.with_suffix(".tmp")
    tmp.write_text(json.dumps(payload, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    tmp.replace(out)
    print(f">> {len(rows)} communes written to {out}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "var/data/communes.json")
