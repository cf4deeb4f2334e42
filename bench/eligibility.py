"""Benchmark of the eligibility service (run: .venv-svc/bin/python bench/eligibility.py).

In one run, over the same varied households:
1. naive baseline: one `build_from_entities` simulation per request (the same full situation our
   service builds, written as an entities dict), computed in this process;
2. our service, single household: sequential POST /api/eligibility to a real uvicorn server (its
   own process), one request at a time: latency p50 / p95;
3. our service, 64 concurrent clients (aiohttp, asyncio) against the same kind of server, in three
   configurations: simulations in the dedicated simulation process (api/eligibility/worker.py),
   simulations in a thread of the API process, and two uvicorn workers (default settings):
   households/s;
4. peak resident memory (VmHWM) of each server with all its processes, and of this process.
The configurations are measured in turn, `--repeat` rounds (a fresh server each time, the order
reversed every other round), so that a change of load on a shared machine hits them all alike;
the median run is reported. Prints a markdown table; `--write` also records it in docs/benchmarks.md.
"""
from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

COMMUNES = ["54395", "75056", "13201", "69123", "59350", "31555", "33063", "97411", "67482", "35238"]
ACTIVITIES = ["salarie", "salarie", "chomeur", "retraite", "inactif", "etudiant", "independant"]
STATUSES = ["locataire", "locataire", "logement_social", "locataire_meuble", "proprietaire", "heberge",
            "accedant", "sans_domicile"]


def household(rng: random.Random) -> dict:
    """A plausible household of the contract; every field given (the naive baseline has no ranges)."""
    def adult() -> dict:
        activity = rng.choice(ACTIVITIES)
        amount = float(rng.randrange(300, 2600, 10))
        incomes = {"salary": 0.0, "unemployment": 0.0, "pension": 0.0, "disability_pension": 0.0,
                   "alimony": 0.0, "other": 0.0}
        key = {"salarie": "salary", "independant": "salary", "etudiant": "salary", "chomeur": "unemployment",
               "retraite": "pension"}.get(activity)
        if key:
            incomes[key] = amount if activity != "etudiant" else float(rng.randrange(0, 800, 10))
        age = rng.randint(62, 85) if activity == "retraite" else rng.randint(18, 60)
        return {"age": age, "activity": activity, "incomes": incomes,
                "disability_rate": rng.choice([None] * 8 + [0.85]), "student": activity == "etudiant"}
    status = rng.choice(STATUSES)
    adults = [adult() for _ in range(rng.choice([1, 1, 2]))]
    payload = {
        "period": "2026-11", "commune": rng.choice(COMMUNES),
        "housing": {"status": status, "rent": float(rng.randrange(250, 1100, 10)), "charges": 40.0},
        "adults": adults, "children": [{"age": rng.randint(0, 19)} for _ in range(rng.choice([0, 0, 1, 2, 3]))],
        "couple_type": rng.choice(["marie", "pacse", "union_libre"]) if len(adults) == 2 else None,
        "single_parent_recent": False, "unknown": [],
    }
    return payload


def entities_dict(inputs, structure) -> dict:  # noqa: ANN001
    """Our array inputs for ONE household, written as a build_from_entities situation."""
    persons = structure["person_ids"]
    situation = {"individus": {pid: {} for pid in persons}, "familles": {}, "foyers_fiscaux": {}, "menages": {}}
    plural = {"famille": "familles", "foyer_fiscal": "foyers_fiscaux", "menage": "menages"}
    role_plural = {"demandeur": "parents", "conjoint": None, "enfant": "enfants", "declarant_principal": "declarants",
                   "personne_a_charge": "personnes_a_charge", "personne_de_reference": "personne_de_reference"}
    for key, (membership, roles, size) in ((k, structure[k]) for k in plural):
        groups = {f"{key}{i}": {} for i in range(size)}
        for pid, group, role in zip(persons, membership, roles):
            if role == "conjoint":
                name = {"famille": "parents", "foyer_fiscal": "declarants", "menage": "conjoint"}[key]
            else:
                name = role_plural[role]
            groups[f"{key}{group}"].setdefault(name, []).append(pid)
        situation[plural[key]] = groups
    return situation


def naive_situation(engine, payload: dict, service) -> dict:  # noqa: ANN001
    import numpy as np

    from api.eligibility.situation import build_inputs

    prepared = service.prepare(payload)
    inputs, _, structure = build_inputs(prepared.variants[:1], engine.converter)
    situation = entities_dict(inputs, structure)
    plural = {"individu": "individus", "famille": "familles", "foyer_fiscal": "foyers_fiscaux", "menage": "menages"}
    for (variable, period), value in inputs.values.items():
        entity = plural[engine.tbs.variables[variable].entity.key]
        for index, member in enumerate(situation[entity]):
            item = value[index]
            if isinstance(item, np.datetime64):
                item = str(item)
            elif isinstance(item, np.generic):
                item = item.item()
            situation[entity][member].setdefault(variable, {})[period] = item
    return situation


def naive_run(engine, situation: dict) -> None:  # noqa: ANN001
    from openfisca_core.simulation_builder import SimulationBuilder

    from api.eligibility.engine import OUTPUTS

    simulation = SimulationBuilder().build_from_entities(engine.tbs, situation)
    for output in OUTPUTS:
        simulation.calculate(output.variable, output.period("2026-11"))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def peak_rss_mb(pid: int | str = "self") -> float:
    text = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", text).group(1)) / 1024


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def create_app():  # noqa: ANN201
    """The server under test: the eligibility router and service, wired as in api/main.py."""
    from contextlib import asynccontextmanager

    from fastapi import FastAPI

    from api.core.config import get_settings
    from api.eligibility.service import EligibilityService
    from api.routes.eligibility import router

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        service = EligibilityService(get_settings())
        await asyncio.to_thread(service.start)
        app.state.eligibility = service
        yield
        await service.aclose()
        stats_file = os.environ.get("BENCH_STATS_FILE")
        if stats_file:  # batch sizes and the simulation process's times, for the report (one file per worker)
            simulator = service.simulator
            Path(f"{stats_file}.{os.getpid()}").write_text(json.dumps({
                "sizes": service.batcher.stats.sizes, "times": service.batcher.stats.times,
                "process": simulator.stats.__dict__ if simulator is not None else None}))

    app = FastAPI(lifespan=lifespan)
    app.include_router(router)
    return app


async def single_latencies(url: str, payloads: list[dict]) -> list[float]:
    import httpx

    async with httpx.AsyncClient(timeout=60) as client:
        for payload in payloads[:3]:  # warm the connection
            (await client.post(url, json=payload)).raise_for_status()
        latencies = []
        for payload in payloads:
            started = time.perf_counter()
            response = await client.post(url, json=payload)
            latencies.append(time.perf_counter() - started)
            response.raise_for_status()
    return latencies


async def throughput(url: str, payloads: list[dict], clients: int, duration: float) -> tuple[int, float, list]:
    """`clients` concurrent clients, each posting one household at a time, for `duration` seconds.

    The load is generated with aiohttp: httpx, at about 140 requests per second on this machine,
    would measure itself rather than the server."""
    import json

    import aiohttp

    done, latencies = 0, []
    bodies = [json.dumps(payload).encode() for payload in payloads]
    headers = {"content-type": "application/json"}
    connector = aiohttp.TCPConnector(limit=clients)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=120)) as session:
        stop = time.perf_counter() + duration

        async def worker(offset: int) -> None:
            nonlocal done
            position = offset
            while time.perf_counter() < stop:
                started = time.perf_counter()
                async with session.post(url, data=bodies[position % len(bodies)], headers=headers) as response:
                    await response.read()
                    if response.status != 200:
                        raise RuntimeError(f"HTTP {response.status}")
                latencies.append(time.perf_counter() - started)
                done += 1
                position += clients
        started = time.perf_counter()
        await asyncio.gather(*(worker(i) for i in range(clients)))
        elapsed = time.perf_counter() - started
    return done, elapsed, latencies


def start_server(workers: int, stats_file: Path, settings: dict[str, str] | None = None) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "BENCH_STATS_FILE": str(stats_file), **(settings or {})}
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "bench.eligibility:create_app", "--factory", "--host", "127.0.0.1",
         "--port", str(port), "--log-level", "warning", "--no-access-log", "--workers", str(workers)],
        cwd=ROOT, env=env)
    return server, f"http://127.0.0.1:{port}/api/eligibility"


def wait_ready(server: subprocess.Popen, url: str, payload: dict) -> None:
    import httpx

    deadline = time.time() + 240
    while True:
        try:
            if httpx.post(url, json=payload, timeout=30).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.time() > deadline or server.poll() is not None:
            raise SystemExit("the server did not start")
        time.sleep(1)


def descendants(pid: int) -> list[int]:
    """Children of every thread of the process (the simulation process is started from a thread), recursively."""
    found = []
    for children in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            found += [int(child) for child in children.read_text().split()]
        except OSError:
            continue
    return found + [grandchild for child in found for grandchild in descendants(child)]


def process_tree_peak_rss(pid: int) -> float:
    """Peak resident memory of a process and all its descendants (uvicorn workers, simulation processes), in MB."""
    return sum(peak_rss_mb(p) for p in [pid, *descendants(pid)])


def stop_server(server: subprocess.Popen, stats_file: Path) -> dict:
    """Stops the server; its batch sizes and simulation process times, summed over its workers."""
    server.terminate()
    server.wait(timeout=60)
    stats = {"sizes": [], "times": [], "process": None}
    for part in stats_file.parent.glob(stats_file.name + ".*"):
        found = json.loads(part.read_text())
        part.unlink()
        stats["sizes"] += found["sizes"]
        stats["times"] += found["times"]
        if found["process"]:
            stats["process"] = {key: (stats["process"] or {}).get(key, 0) + value
                                for key, value in found["process"].items()}
    return stats


# (key, label, uvicorn workers, settings given to the server)
CONFIGS = (
    ("process", "1 API process and its simulation process", 1, {"ELIGIBILITY_SIMULATION_PROCESS": "true"}),
    ("thread", "1 process, simulations in a thread", 1, {"ELIGIBILITY_SIMULATION_PROCESS": "false"}),
    ("two", "2 uvicorn workers (default settings)", 2, {}),
)


def measure_servers(args, payloads: list[dict], stats_file: Path, runs: dict) -> None:  # noqa: ANN001
    """Each configuration in turn, `args.repeat` rounds, the order reversed every other round."""
    for round_number in range(args.repeat):
        for key, _label, workers, settings in (CONFIGS if round_number % 2 == 0 else CONFIGS[::-1]):
            found = runs[key]
            server, url = start_server(workers, stats_file, settings)
            try:
                for _ in range(4 * workers):  # every worker must be ready
                    wait_ready(server, url, payloads[0])
                asyncio.run(throughput(url, payloads, args.clients, 2.0))  # warm the batcher, not measured
                if workers == 1:
                    found["single"].append(asyncio.run(single_latencies(url, payloads)))
                found["load"].append(os.getloadavg()[0])
                window = time.time()
                found["loaded"].append(asyncio.run(throughput(url, payloads, args.clients, args.duration)))
                window = (window, time.time())
                found["rss"] = max(found["rss"], process_tree_peak_rss(server.pid))
            finally:
                stats = stop_server(server, stats_file)
            found["sizes"] += [size for size, at in zip(stats["sizes"], stats["times"]) if window[0] <= at <= window[1]]
            if stats["process"]:
                found["process"].append(stats["process"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=60)
    parser.add_argument("--naive", type=int, default=None, help="households for the naive baseline (default: all)")
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--duration", type=float, default=15.0)
    parser.add_argument("--repeat", type=int, default=3, help="server measurements repeated (the CPU may be shared)")
    parser.add_argument("--contention", type=int, default=0,
                        help="busy-loop processes run during the server measures (a machine shared with others)")
    parser.add_argument("--write", action="store_true", help="record the table in docs/benchmarks.md")
    args = parser.parse_args()

    rng = random.Random(2026)
    payloads = [household(rng) for _ in range(args.households)]
    load_before = os.getloadavg()
    stats_file = Path(f"/tmp/bench-eligibility-{os.getpid()}")

    # Naive baseline, in this process.
    from api.core.config import Settings, get_settings
    from api.eligibility.service import EligibilityService

    service = EligibilityService(Settings(eligibility_simulation_process=False))  # only its engine is used
    service.start()
    naive_count = args.naive or len(payloads)
    situations = [naive_situation(service.engine, p, service) for p in payloads[:naive_count]]
    naive_run(service.engine, situations[0])  # warm
    naive = []
    for situation in situations:
        started = time.perf_counter()
        naive_run(service.engine, situation)
        naive.append(time.perf_counter() - started)
    bench_rss = peak_rss_mb()
    del service, situations

    # Our service: a uvicorn server in its own process, as in production, in each configuration in
    # turn, round after round (the CPU of this machine may be shared); the median run is reported.
    default_process = get_settings().eligibility_simulation_process
    runs = {key: {"single": [], "loaded": [], "rss": 0.0, "sizes": [], "process": [], "load": []}
            for key, *_ in CONFIGS}
    hogs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(args.contention)]
    try:
        measure_servers(args, payloads, stats_file, runs)
    finally:
        for hog in hogs:
            hog.kill()
            hog.wait()

    def median_run(values: list) -> tuple:
        ranked = sorted(values, key=lambda run: run[0] / run[1])
        return ranked[len(ranked) // 2]

    def single_cell(key: str, share: float) -> str:
        values = runs[key]["single"]
        median = sorted(values, key=lambda run: percentile(run, share))[len(values) // 2]
        every = " – ".join(f"{percentile(run, share) * 1000:.0f}" for run in sorted(values, key=lambda r: percentile(r, share)))
        return f"{percentile(median, share) * 1000:.0f} ms (runs: {every})"

    def throughput_cell(key: str) -> str:
        found = runs[key]
        done, elapsed, loaded = median_run(found["loaded"])
        every = " – ".join(f"{run[0] / run[1]:.0f}" for run in sorted(found["loaded"], key=lambda r: r[0] / r[1]))
        cell = (f"{done / elapsed:.0f} households/s (runs: {every}; p95 {percentile(loaded, .95) * 1000:.0f} ms, "
                f"mean batch {statistics.mean(found['sizes']) if found['sizes'] else 0:.0f}")
        if found["process"]:  # whole server lifetimes: start-up warm-up, single latencies and load
            batches = sum(p["batches"] for p in found["process"])
            cell += (f"; simulation process: {sum(p['computing_seconds'] for p in found['process']) / batches * 1000:.0f}"
                     f" ms computing per batch, {sum(p['waiting_seconds'] for p in found['process']) / batches * 1000:.0f}"
                     " ms waited by the API")
        return cell + ")"

    def default(key: str) -> str:
        return " (default)" if (key == "process") == default_process and key != "two" else ""

    def met(ok: bool) -> str:
        return "met" if ok else "**not met**"

    def rate(key: str) -> float:
        done, elapsed, _ = median_run(runs[key]["loaded"])
        return done / elapsed

    def single_p95(key: str) -> float:
        values = runs[key]["single"]
        return percentile(sorted(values, key=lambda run: percentile(run, .95))[len(values) // 2], .95)

    labels = {key: label for key, label, *_ in CONFIGS}
    naive_rate = 1 / statistics.mean(naive)
    rows = [
        ("Single household, p50", f"{percentile(naive, .5) * 1000:.0f} ms",
         "; ".join(f"{single_cell(key, .5)}, {labels[key]}{default(key)}" for key in ("process", "thread")), ""),
        ("Single household, p95", f"{percentile(naive, .95) * 1000:.0f} ms",
         "; ".join(f"{single_cell(key, .95)}, {labels[key]}{default(key)}" for key in ("process", "thread")),
         f"≤ 300 ms: {met(all(single_p95(key) <= 0.3 for key in ('process', 'thread')))}"),
    ]
    rows += [(f"Throughput, {args.clients} concurrent clients, {labels[key]}{default(key)}",
              f"{naive_rate:.1f} households/s (one at a time)" if key == "process" else "", throughput_cell(key),
              f"≥ 500 households/s: {met(rate(key) >= 500)}") for key, *_ in CONFIGS]
    rows.append(("Peak resident memory", f"{bench_rss:.0f} MB (bench process)",
                 "; ".join(f"{runs[key]['rss']:.0f} MB ({labels[key]})" for key, *_ in CONFIGS), ""))
    table = ["| Measure | Naive baseline | Our service | Target |", "|---|---|---|---|"]
    table += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
    load_after = os.getloadavg()
    print("\n".join(table))
    loads = [load for found in runs.values() for load in found["load"]]
    print(f"\nHouseholds: {len(payloads)} (naive: {len(naive)}); load average before {load_before[0]:.1f}, "
          f"{min(loads):.1f} to {max(loads):.1f} during the throughput runs, after {load_after[0]:.1f} on "
          f"{os.cpu_count()} CPUs; {args.contention} busy-loop processes during the server measures")
    if args.write:
        write_docs(table, args, load_before, load_after, len(naive), len(payloads), (min(loads), max(loads)))


ANALYSIS = """Where the time goes. One simulation costs about the same whatever the number of households in
it: about 40 ms for 1 household, 50 ms for 64, 60 ms for 128 on a quiet machine (it was 90, 105 and
150 ms when this section was first written: the machine was slower or busier then, as the naive
baseline shows, 497 ms a household then against about 210 ms now). It is OpenFisca evaluating the
~1,200 (variable, month) values the 16 benefits need, mostly core bookkeeping rather than arithmetic
(see `api/eligibility/speed.py` and `shortcuts.py` for what was cut). With 64 clients that each wait
for their answer, all 64 requests end up in one batch and a cycle is strictly sequential: the
simulation of 64 households (about 55 ms), then 64 answers written and 64 new requests read,
validated and prepared (about 0.45 ms of API work each, 30 ms), plus the batching window. Nothing can
overlap: the next batch is made of the very clients whose answers are being written. Hence about
600-700 households/s on a quiet machine, whether the simulations run in a thread or in their own
process (their runs overlap). Letting the next batch be gathered and sent while one computes
(`eligibility_batches_in_flight=2`) changes nothing measurable: the batches stay whole (mean 64), and
half batches would pay the ~40 ms fixed cost of a simulation twice. Two simulation processes behind
one API process, each with the requests of half the connections, did worse in a trial (546 against
628 households/s, 2 rounds). Two uvicorn workers, each with its own simulation process, do overlap:
each has half the clients, and while one simulates, the other writes and reads; the two simulations
then share the 2 CPUs with the two API processes and the load generator (mean batch 31, at about the
same cost each as 64), at the price of twice the memory and two API processes.

What the simulation process changes (`eligibility_simulation_process`, the default). At the same
throughput, the API process uses 0.3 CPU instead of 0.92 (psutil over 8 s at about 650 requests/s:
0.45 ms of CPU per request in the API process and 0.9 ms in the simulation process, against 1.4-1.7 ms
in the single process, which is then saturated: any other work of the API process, chat or webhooks,
comes off the eligibility throughput, and the reverse). A crash or a hang of OpenFisca costs a 503 in
French and a restart, not the API process, and a stuck simulation is given up after
`eligibility_simulation_timeout_seconds` (in a thread, it would hold every estimate). The price: one
more process and about 65 MB more memory (the API process loads no OpenFisca-France: the parameter
facts its answers need come from the simulation process); start-up is unchanged, about 6 s to ready
in both modes. On a machine shared with other work the target is not met in either mode: on
2026-11-25, `bench/eligibility.py --contention 2 --naive 5` (two busy loops beside the load generator,
load average 2.0 to 3.6) gave 447 households/s with the simulation process (runs 416 – 447 – 469,
loaded p95 198 ms) and 445 in a thread (436 – 445 – 466, p95 183 ms); single-household p95 106 and
107 ms. The 353 households/s first recorded here were most likely measured in such conditions."""


def write_docs(table: list[str], args, load_before, load_after, naive_count: int, count: int,  # noqa: ANN001
               loads: tuple[float, float]) -> None:
    path = ROOT / "docs" / "benchmarks.md"
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    command = "bench/eligibility.py --write" + (f" --contention {args.contention}" if args.contention else "")
    contention = (f" {args.contention} busy-loop processes ran beside the servers to mimic a shared machine."
                  if args.contention else "")
    section = "\n".join([
        "## Eligibility service",
        "",
        f"Measured on {dt.date.today().isoformat()} with `.venv-svc/bin/python {command}` "
        f"({os.cpu_count()} CPUs, load average {load_before[0]:.1f} before, {loads[0]:.1f} to {loads[1]:.1f} "
        f"during the throughput runs, {load_after[0]:.1f} after: the machine was shared, and the load "
        f"generator runs on it too).{contention}",
        "",
        *table,
        "",
        f"- Households: {count} varied households of the contract (seeded), every field given.",
        f"- Each configuration was measured {args.repeat} times, in turn with the others (a fresh server "
        "each time, the order reversed every other round, so that a change of load hits them all alike); "
        "the table shows the median run, and all runs in brackets.",
        f"- Naive baseline: one `build_from_entities` simulation per household, the same full situation, "
        f"computed in the bench process ({naive_count} households).",
        "- Our service: a real uvicorn server in its own process (the eligibility router and service "
        "wired as in `api/main.py`); single latencies are sequential `POST /api/eligibility` over HTTP "
        "(httpx); throughput is "
        f"{args.clients} concurrent aiohttp clients for {args.duration:.0f} s, each posting one household "
        "at a time (httpx tops out near 140 requests/s here). Micro-batching merges what arrives "
        "within `eligibility_batch_window_ms` (and the returning wave of clients) into one vectorised "
        "simulation. Configurations: the simulations in the dedicated simulation process "
        "(`api/eligibility/worker.py`, `ELIGIBILITY_SIMULATION_PROCESS=true`); in a thread of the API "
        "process (`false`, the previous design); `uvicorn --workers 2` with the default settings (each "
        "worker has its own simulation process). The simulation process's times (computing per batch, "
        "and waited by the API process, the difference being transfer and hand-offs) cover the server's "
        "whole life. Memory: the server and all its descendants.",
        "",
        ANALYSIS,
        "",
    ])
    pattern = re.compile(r"## Eligibility service\n.*?(?=\n## |\Z)", re.S)
    text = pattern.sub(section.rstrip("\n") + "\n", text) if pattern.search(text) else text.rstrip("\n") + "\n\n" + section
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
