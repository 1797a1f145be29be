"""``train --processes N``: the launch checks, torchrun's command, and DDP with gloo on the tiny random llama."""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from aeon_studio.core.errors import ValidationError
from aeon_studio.core.processes import RUN_MODULE
from aeon_studio.core.training import launch, runs
from aeon_studio.core.training.spec import make_spec
from aeon_studio.core.training.worker import run as run_worker

from .test_worker import IDENTITY, tiny_base  # noqa: F401 - the session fixture


@pytest.mark.parametrize(("kw", "match"), [
    ({"processes": 0}, "at least one process"),
    ({"processes": 3, "cores": 2, "gpus": 0}, "more than the 2 CPU cores"),
    ({"processes": 2, "gpus": 1}, "more than the 1 GPU of"),
    ({"nodes": 0}, "at least one machine"),
    ({"nodes": 2}, "--master-addr is required"),
    ({"nodes": 2, "node_rank": 2, "master_addr": "10.0.0.1"}, "--node-rank 2 is outside 0…1"),
])
def test_launch_checks(kw, match):
    with pytest.raises(ValidationError, match=match) as err:
        launch.check(**kw)
    assert err.value.hint  # says what to do
    launch.check(processes=2, cores=2, gpus=0)
    launch.check(processes=8, nodes=2, node_rank=1, master_addr="10.0.0.1", gpus=8)


def test_too_many_processes_fails_before_anything_is_stored(tmp_path, capsys, monkeypatch):
    from aeon_studio.core.cli.main import main
    from aeon_studio.core.settings import get_settings

    monkeypatch.setattr(launch, "gpu_count", lambda: 0)  # the CPU rule, also on a machine with a GPU
    data = tmp_path / "ident.jsonl"
    data.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in IDENTITY))
    too_many = str(launch.cpu_cores() + 1)
    assert main(["train", "--dataset", str(data), "--base", str(tmp_path / "no-model"), "--processes", too_many]) != 0
    assert "CPU cores of this machine" in capsys.readouterr().err
    assert main(["train", "--dataset", str(data), "--nodes", "2"]) != 0
    assert "--master-addr" in capsys.readouterr().err
    assert not list(get_settings().runs_dir.glob("*"))  # no run folder, no row
    assert runs.list_runs() == []


def test_torchrun_runs_the_apps_own_worker_command(tmp_path, monkeypatch):
    spec = make_spec(run_dir=str(tmp_path / "run"), dataset_path="d.jsonl", base="b", processes=2)
    args = launch.torchrun_args(spec, "spec.json")
    assert args[args.index("--nproc-per-node") + 1] == "2" and "--standalone" in args
    assert args[args.index("--no-python") + 1:] == [sys.executable, "-m", launch.WORKER, "spec.json"]
    monkeypatch.setattr(sys, "frozen", True, raising=False)  # the PyInstaller bundle: sys.executable is the app
    args = launch.torchrun_args(spec.model_copy(update={"nodes": 2, "node_rank": 1, "master_addr": "h"}), "s.json")
    assert args[args.index("--no-python") + 1:] == [sys.executable, RUN_MODULE, launch.WORKER, "s.json"]
    assert "--standalone" not in args and args[args.index("--master-addr") + 1] == "h"
    assert args[args.index("--node-rank") + 1] == "1" and args[args.index("--nnodes") + 1] == "2"


def test_first_failure_is_the_signalled_rank_or_the_oldest_error(tmp_path):
    def failed(code):
        return SimpleNamespace(exitcode=code, local_rank=0)

    assert launch.first_failure(tmp_path, {0: failed(1), 1: failed(-9)}) == 1
    assert launch.first_failure(tmp_path, {0: failed(-15), 1: failed(-9)}) == 1  # torchrun stopped rank 0
    assert launch.first_failure(tmp_path, {0: failed(-15), 1: failed(1)}) == 1
    (tmp_path / "ranks").mkdir()
    (tmp_path / "ranks" / "error-0.json").write_text(json.dumps({"time": 20.5, "message": "connection closed"}))
    (tmp_path / "ranks" / "error-1.json").write_text(json.dumps({"time": 20.1, "message": "out of memory"}))
    assert launch.first_failure(tmp_path, {0: failed(1), 1: failed(1)}) == 1
    assert launch.first_failure(tmp_path, {2: failed(1), 3: failed(1)}) == 2  # no error left: the lowest


def _steps(run_dir: Path) -> list[dict]:
    lines = (run_dir / "events.jsonl").read_text().splitlines()
    return [e for e in map(json.loads, lines) if e["event"] == "step"]


@pytest.mark.slow  # ~45 s on 2 shared cores: three processes import torch and transformers
def test_two_processes_match_one_with_the_same_global_batch(tmp_path, tiny_base):  # noqa: F811
    """gloo DDP, 2 ranks × batch 4 against 1 process × batch 8 (the whole dataset a step, so the data order does
    not matter): the same losses within 1 %, one adapter, one set of events."""
    from aeon_studio.core.cli.main import main
    from aeon_studio.core.storage import get_database
    from aeon_studio.core.storage.training_tables import AdapterRow

    data = tmp_path / "ident.jsonl"
    data.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in IDENTITY))
    one = make_spec(run_dir=str(tmp_path / "one"), dataset_path=str(data), base=str(tiny_base), backend="peft",
                    max_steps=4, lr=5e-2, batch_size=8)
    assert run_worker(one) == 0
    assert main(["train", "--dataset", str(data), "--base", str(tiny_base), "--backend", "peft", "--max-steps", "4",
                 "--lr", "5e-2", "--processes", "2", "--json-events"]) == 0
    (row,) = runs.list_runs()
    assert row.status == "done" and row.spec["processes"] == 2 and row.spec["batch_size"] == 4
    folder = runs.run_dir(row.id)
    single, ddp = [e["loss"] for e in _steps(Path(one.run_dir))], [e["loss"] for e in _steps(folder)]
    assert [e["step"] for e in _steps(folder)] == [1, 2, 3, 4]  # rank 0 alone writes the events
    assert single[-1] < single[0]
    for a, b in zip(single, ddp, strict=True):
        assert abs(a - b) <= 0.01 * a, (single, ddp)
    kinds = [json.loads(x)["event"] for x in (folder / "events.jsonl").read_text().splitlines()]
    assert kinds.count("start") == 1 and kinds.count("done") == 1
    with get_database().session() as s:
        adapters = s.query(AdapterRow).all()
    assert len(adapters) == 1 and Path(adapters[0].path) == folder / "adapter"
    assert (folder / "adapter" / "adapter_model.safetensors").exists()
    assert not (folder / "adapter.tmp").exists()


def _rank_pid(launcher_pid: int, rank: int) -> int | None:
    """The pid of the worker with ``RANK=rank`` started (through torchrun) by ``launcher_pid``."""
    for p in Path("/proc").iterdir():
        if not p.name.isdigit():
            continue
        try:
            env = (p / "environ").read_bytes().split(b"\0")
            ppid = int((p / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if ppid == launcher_pid and f"RANK={rank}".encode() in env:
            return int(p.name)
    return None


@pytest.mark.slow
def test_a_rank_killed_fails_the_run_with_why_and_resume_finishes(tiny_base):  # noqa: F811
    row = runs.create_run(rows=IDENTITY, base=str(tiny_base), dataset_name="identity", backend="peft",
                          max_steps=14, batch_size=2, save_every=3, lr=1e-2, processes=2)
    proc = runs.start(row.id)
    for line in proc.stdout:
        ev = json.loads(line)
        if ev["event"] == "checkpoint":
            pid = _rank_pid(proc.pid, 1)
            assert pid
            os.kill(pid, signal.SIGKILL)
            break
    assert proc.wait(120) == 1
    r = runs.refresh(row.id, exited=True)
    assert r.status == "failed"
    assert "Process 1 of 2 failed: stopped by signal SIGKILL" in r.error and "runs resume" in r.error
    last = runs.read_events(row.id)[-1]
    assert last.event == "error" and last.kind == "rank_failed"

    runs.prepare_resume(row.id)
    t0 = time.monotonic()
    proc = runs.start(row.id)
    events = [json.loads(line) for line in proc.stdout]
    assert proc.wait(120) == 0, time.monotonic() - t0
    resumed = next(e for e in events if e["event"] == "resume")
    assert resumed["step"] >= 3
    assert [e["step"] for e in events if e["event"] == "step"][0] == resumed["step"] + 1
    assert events[-1]["event"] == "done"
    assert runs.refresh(row.id, exited=True).status == "done"
