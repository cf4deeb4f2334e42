"""The simulation process (api/eligibility/worker.py): the same results as the in-process engine; a
crashed or stuck process gives a clear 503 in French, then is replaced; shutdown, and Ctrl-C on a
real server, leave no process behind; the process leaves when its parent dies."""
from __future__ import annotations

import asyncio
import copy
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil
import pytest
from fastapi import FastAPI

from api.core.config import Settings
from api.eligibility.batcher import MicroBatcher
from api.eligibility.shortcuts import probe_households
from api.eligibility.worker import EngineUnavailable, SimulationProcess
from api.routes.eligibility import router

from .test_eligibility_api import VALID

ROOT = Path(__file__).resolve().parents[3]
MONTH = "2026-11"


@pytest.fixture(scope="module")
def simulator():  # noqa: ANN201
    simulator = SimulationProcess(MONTH, batch_timeout=3.0, restart_delay=0.1)
    simulator.start()
    yield simulator
    simulator.close()


@pytest.fixture(scope="module")
def process_service(service, simulator):  # noqa: ANN001, ANN201
    """The session service (its texts, communes, engine for the answers) computing in `simulator`."""
    twin = copy.copy(service)
    twin.simulator = simulator
    twin.batcher = MicroBatcher(twin._compute, 4.0, 256, in_flight=2)
    return twin


def wait_until(condition, seconds: float = 120.0) -> None:  # noqa: ANN001
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def test_the_process_computes_what_the_engine_computes(service, simulator) -> None:  # noqa: ANN001
    households = probe_households(MONTH)
    assert simulator.simulate(households) == service.engine.simulate(households)
    assert simulator.simulate(households[3:4]) == service.engine.simulate(households[3:4])
    assert simulator.versions == service.engine.versions
    # What the answers read from the parameters: sent with the results, or asked for.
    assert simulator.facts(MONTH) == service.engine.facts(MONTH)
    assert simulator.facts("2025-02") == service.engine.facts("2025-02")
    april = probe_households("2026-04")[:2]
    assert simulator.simulate(april) == service.engine.simulate(april)
    assert "2026-04" in simulator._facts and simulator.facts("2026-04") == service.engine.facts("2026-04")


async def test_batched_answers_through_the_process_equal_single_ones(process_service) -> None:  # noqa: ANN001
    bodies = []
    for index, (commune, rent) in enumerate([("54395", 450), ("75056", 900), ("13055", 300), ("97411", 520)]):
        body = copy.deepcopy(VALID)
        body["commune"], body["housing"]["rent"] = commune, rent
        body.pop("postcode")
        if index % 2:
            body["unknown"] = ["adults[0].incomes.salary"]
        bodies.append(body)
    batched = await asyncio.gather(*(process_service.estimate(body) for body in bodies))
    assert batched == [process_service.estimate_sync(body) for body in bodies]
    assert process_service.batcher.stats.batches < len(bodies)


def test_a_batch_error_reaches_the_caller_and_the_process_serves_on(simulator) -> None:  # noqa: ANN001
    household = probe_households(MONTH)[0]
    broken = copy.copy(household)
    broken.depcom = None  # not a commune code: the simulation itself fails
    with pytest.raises(Exception) as raised:
        simulator.simulate([broken])
    assert not isinstance(raised.value, EngineUnavailable)
    assert simulator.ready and simulator.simulate([household])


async def test_a_killed_process_gives_a_french_503_then_is_replaced(process_service, simulator) -> None:  # noqa: ANN001
    app = FastAPI()
    app.include_router(router)
    app.state.eligibility = process_service
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        expected = (await client.post("/api/eligibility", json=VALID)).json()
        old_pid, restarts = simulator.pid, simulator.restarts
        os.kill(old_pid, signal.SIGKILL)
        await asyncio.to_thread(wait_until, lambda: not simulator.ready, 10)
        response = await client.post("/api/eligibility", json=VALID)
        assert response.status_code == 503
        assert "Réessayez" in response.json()["detail"]["fr"] and response.headers["retry-after"]
        await asyncio.to_thread(wait_until, lambda: simulator.ready)
        assert simulator.pid != old_pid and simulator.restarts == restarts + 1
        assert not psutil.pid_exists(old_pid) or psutil.Process(old_pid).status() == psutil.STATUS_ZOMBIE
        response = await client.post("/api/eligibility", json=VALID)
        assert response.status_code == 200 and response.json() == expected


def test_a_stuck_process_is_given_up_after_the_timeout_then_replaced(simulator) -> None:  # noqa: ANN001
    households = probe_households(MONTH)[:2]
    expected = simulator.simulate(households)
    old_pid = simulator.pid
    os.kill(old_pid, signal.SIGSTOP)  # alive, but never answers
    started = time.monotonic()
    with pytest.raises(EngineUnavailable):
        simulator.simulate(households)
    assert time.monotonic() - started < simulator.batch_timeout + 3
    wait_until(lambda: simulator.ready)
    assert simulator.pid != old_pid and not psutil.pid_exists(old_pid)
    assert simulator.simulate(households) == expected


async def test_a_service_with_its_process_answers_without_openfisca_of_its_own(service, settings) -> None:  # noqa: ANN001
    from .conftest import FixedDayService

    own = FixedDayService(settings.model_copy(update={"eligibility_simulation_process": True}))
    await asyncio.to_thread(own.start)
    try:
        assert own.engine.tbs is None and own.engine.versions == service.engine.versions
        body = copy.deepcopy(VALID)
        body["period"] = "2026-03"  # another month: its parameter facts come with its results
        assert await own.estimate(body) == service.estimate_sync(body)
    finally:
        pid = own.simulator.pid
        await own.aclose()
    assert not psutil.pid_exists(pid)


async def test_shutdown_leaves_no_process(service) -> None:  # noqa: ANN001
    """Even while the process is still loading OpenFisca (the ready case: the tests above and below)."""
    twin = copy.copy(service)
    twin.simulator = SimulationProcess(MONTH)
    twin.batcher = MicroBatcher(twin._compute, 4.0, 256)
    twin.simulator.launch()
    pid = twin.simulator.pid
    assert psutil.Process(pid).ppid() == os.getpid()
    await twin.aclose()
    assert not psutil.pid_exists(pid)
    assert all(child.pid != pid for child in psutil.Process().children(recursive=True))
    with pytest.raises(EngineUnavailable):
        twin.simulator.simulate(probe_households(MONTH)[:1])


def test_the_process_leaves_when_its_parent_dies() -> None:
    script = ("import sys; from api.eligibility.worker import SimulationProcess\n"
              "s = SimulationProcess('2026-11'); s.launch(); print(s.pid, flush=True); sys.stdin.read()")
    parent = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              text=True)
    child = int(parent.stdout.readline())
    parent.kill()  # no clean-up at all, while the child is still loading OpenFisca
    parent.wait()
    wait_until(lambda: not psutil.pid_exists(child) or psutil.Process(child).status() == psutil.STATUS_ZOMBIE, 15)


def test_ctrl_c_on_a_server_leaves_no_process() -> None:
    """As `make run`: Ctrl-C sends SIGINT to the whole process group (uvicorn and its simulation process)."""
    from bench.eligibility import free_port

    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "ELIGIBILITY_SIMULATION_PROCESS": "true"}
    server = subprocess.Popen([sys.executable, "-m", "uvicorn", "bench.eligibility:create_app", "--factory",
                               "--port", str(port), "--log-level", "warning"], cwd=ROOT, env=env,
                              start_new_session=True)
    try:
        def answers() -> bool:
            assert server.poll() is None, "the server stopped"
            try:
                return httpx.post(f"http://127.0.0.1:{port}/api/eligibility", json=VALID, timeout=30).status_code == 200
            except httpx.TransportError:
                return False
        wait_until(answers, 180)
        group = [p for p in psutil.process_iter(["pid"]) if _pgid(p.pid) == server.pid]
        assert len(group) >= 2  # uvicorn and the simulation process
        os.killpg(server.pid, signal.SIGINT)
        assert server.wait(30) == 0
        wait_until(lambda: not any(p.is_running() and p.status() != psutil.STATUS_ZOMBIE for p in group), 10)
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def _pgid(pid: int) -> int | None:
    try:
        return os.getpgid(pid)
    except OSError:
        return None


def test_the_process_applies_the_parameter_overlays(simulator) -> None:  # noqa: ANN001
    facts = simulator.facts(MONTH)
    assert facts.parameter_dates["complementaire_sante_solidaire"] == "2025-04-01"  # knowledge/parameters
    assert [overlay["start"] for overlay in facts.overlays] == ["2025-04-01"]


def test_a_broken_overlay_file_stops_the_process_with_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "broken.yml").write_text("- parameter: x\n  start: 2030-04-01\n   value: 1\n", encoding="utf-8")
    simulator = SimulationProcess(MONTH, parameters_dir=tmp_path, start_timeout=60)
    with pytest.raises(RuntimeError, match=r"broken\.yml:3: not valid YAML"):
        simulator.start()
    assert simulator.pid is None  # closed: no process left
