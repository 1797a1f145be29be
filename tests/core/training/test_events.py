"""Typed training events (core/training/events.py): the JSON contract, parse never raising, RunStatus, and the
worker writing them through an events file it always closes."""

from __future__ import annotations

import gc
import json
import warnings
from pathlib import Path

import pytest
from tests.core.training.test_worker import IDENTITY, _spec, tiny_base  # noqa: F401 - session fixture

from aeon_studio.core.training import events
from aeon_studio.core.training.events import (EVENTS, Cancelled, Checks, Done, Error, RunStatus, Start, Step,
                                              parse)
from aeon_studio.core.training.worker import Emitter
from aeon_studio.core.training.worker import run as run_worker


def test_every_event_is_documented_and_round_trips():
    assert set(EVENTS) == {"preflight", "start", "step", "eval", "checkpoint", "checks", "resume", "cancelled",
                           "done", "error"}
    for name in EVENTS:
        assert f"\n{name} " in events.__doc__, name  # the contract table names every event
    step = Step(step=3, epoch=0.5, loss=1.25, lr=1e-3, tokens_per_s=None, eta_s=4.0)
    line = step.to_json()
    assert list(json.loads(line)) == ["event", "time", "step", "epoch", "loss", "lr", "tokens_per_s", "eta_s"]
    assert parse(line) == step and parse(json.loads(line)) == step and parse(step) is step
    assert parse(line.encode()) == step


def test_optional_fields_are_left_out_as_the_worker_always_wrote_them():
    # the unsloth backend knows neither the steps per epoch nor the tokens; peft writes no backend
    assert list(Start(total_steps=None, examples=3, eval_examples=0, backend="unsloth").to_dict()) == [
        "event", "time", "total_steps", "examples", "eval_examples", "backend"]
    skipped = Checks(ok=None, skipped="not a GGUF").to_dict()
    assert list(skipped) == ["event", "time", "ok", "skipped"]
    failed = Checks(ok=False, failures=["load: no"], log="/r/checks.json", gguf=None, checks=[])
    assert list(failed.to_dict()) == ["event", "time", "ok", "failures", "log", "gguf", "checks"]
    assert Cancelled(step=4, checkpoint=None).to_dict()["checkpoint"] is None
    assert Error(kind="MemoryError", message="out of memory").fields() == {
        "kind": "MemoryError", "message": "out of memory", "hint": None}


@pytest.mark.parametrize("line", [
    "", "   ", "not json", "[1, 2]", "42", "null", '{"event": "step", "step": 3', '{"no": "event"}',
    '{"event": ["step"]}', '{"event": "unknown", "step": 1}', '{"event": "step", "step": 1}',
    '{"event": "step", "step": "three", "loss": 1}', '{"event": "done"}', '{"event": "eval", "step": 1, '
    '"eval_loss": {}}', '{"event": "step", "step": 1, "loss": 1, "time": "noon"}', b"\xff\xfe", "[" * 100_000,
])
def test_parse_gives_none_for_garbled_lines(line):
    assert parse(line) is None


def test_parse_keeps_what_was_written():
    ev = parse('{"event": "step", "step": 10, "loss": 1.0, "eta_s": 95, "future_field": 1}')
    assert isinstance(ev, Step) and (ev.step, ev.loss, ev.eta_s, ev.time, ev.epoch) == (10, 1.0, 95, None, None)
    assert parse({"event": "done", "time": 5.0, "adapter": "/a", "metrics": {"steps": 2}}) == Done(
        time=5.0, adapter="/a", metrics={"steps": 2})
    assert parse(None) is None and parse(3) is None  # type: ignore[arg-type]


def test_run_status_is_terminal():
    assert [s for s in RunStatus if s.is_terminal] == [RunStatus.DONE, RunStatus.FAILED, RunStatus.CANCELLED]
    assert RunStatus("running") is RunStatus.RUNNING and RunStatus.DONE == "done" and f"{RunStatus.DONE}" == "done"


def test_emitter_is_a_context_manager(tmp_path, capsys):
    with Emitter(tmp_path) as emit:
        emit(Error(kind="x", message="boom", time=1.0))
    assert emit.closed
    line = (tmp_path / "events.jsonl").read_text(encoding="utf-8")
    assert line == capsys.readouterr().out == '{"event": "error", "time": 1.0, "kind": "x", "message": "boom", ' \
                                                '"hint": null}\n'


def _run_checked(spec) -> tuple[int, list[str]]:
    """Run the worker; fail if it leaves ``events.jsonl`` open (CPython warns when it collects an open file)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        rc = run_worker(spec)
        gc.collect()
    leaked = [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)
              and "events.jsonl" in str(w.message)]
    assert not leaked, leaked
    lines = (Path(spec.run_dir) / "events.jsonl").read_text(encoding="utf-8").splitlines()
    for line in lines:  # what the readers parse is exactly what was written
        assert parse(line) is not None and parse(line).to_json() == line, line
    return rc, lines


def test_worker_closes_its_events_file_on_error(tmp_path, tiny_base):  # noqa: F811
    rc, lines = _run_checked(_spec(tmp_path, tiny_base, []))
    assert rc == 1 and isinstance(parse(lines[-1]), Error)


def test_worker_closes_its_events_file_when_done_and_when_cancelled(tmp_path, tiny_base):  # noqa: F811
    (tmp_path / "a").mkdir()
    rc, lines = _run_checked(_spec(tmp_path / "a", tiny_base, IDENTITY[:4], max_steps=2))
    kinds = [parse(line).event for line in lines]
    assert rc == 0 and kinds[:2] == ["preflight", "start"] and kinds[-2:] == ["checks", "done"], kinds
    (tmp_path / "b").mkdir()
    spec = _spec(tmp_path / "b", tiny_base, IDENTITY[:4], max_steps=50)
    Path(spec.run_dir).mkdir(parents=True)
    (Path(spec.run_dir) / "cancel").write_text("cancel")  # asked to stop before the first step
    rc, lines = _run_checked(spec)
    assert rc == 3 and isinstance(parse(lines[-1]), Cancelled) and parse(lines[-1]).checkpoint
