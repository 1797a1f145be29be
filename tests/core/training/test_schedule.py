"""Scheduled retraining: ``retrain --auto`` runs and gates when due, skips with the reason when not, never runs two
trainings at once, takes over the lock of a killed run, and stops after three failures. The worker and the
evaluation are the fakes of ``test_gated`` (what is counted, locked, activated and stored is real)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from datetime import datetime, timedelta, timezone

import pytest

from aeon_studio.core.cli.main import main
from aeon_studio.core.personas import PersonaStore
from aeon_studio.core.settings import get_settings
from aeon_studio.core.storage import get_database
from aeon_studio.core.storage.chats import ChatStore
from aeon_studio.core.storage.training_tables import AdapterRow, TrainingRun
from aeon_studio.core.training import schedule as sch
from tests.core.training.test_gated import Verdict, gate  # noqa: F401 - the fixture of the fakes

pytestmark = pytest.mark.usefixtures("gate")


@pytest.fixture(autouse=True)
def no_renice(monkeypatch):
    """The CLI lowers its own priority before training; not the test runner's."""
    monkeypatch.setattr("aeon_studio.core.cli.schedule.lower_priority", lambda: None)


def _rate(n: int, persona: str = "casual", start: int = 0) -> None:
    cs = ChatStore(get_database())
    conv = cs.create_conversation(persona, "smollm2-135m")
    for i in range(start, start + n):
        cs.add_message(conv.id, "user", f"Qual é a capital número {i}?", persona_key=persona)
        reply = cs.add_message(conv.id, "assistant", f"A resposta número {i} é Lisboa.", persona_key=persona)
        cs.rate(reply.id, 5)


class FakeWorker:
    """Stands in for ``cli.train.follow``: ends the run ``done`` with a new adapter (or ``failed``)."""

    def __init__(self, fail: bool = False) -> None:
        self.calls: list[str] = []
        self.fail = fail

    def __call__(self, run_id: str, json_events: bool) -> int:
        self.calls.append(run_id)
        db = get_database()
        with db.session() as s:
            r = s.get(TrainingRun, run_id)
            if self.fail:
                r.status, r.error = "failed", "out of memory"
            else:
                aid = f"casual-{len(self.calls)}"
                s.add(AdapterRow(id=aid, name=aid, base_model_id="smollm2-135m-instruct", path="/x",
                                 persona_key="casual", metrics={"checks": {"ok": True}}))
                r.status, r.adapter_id = "done", aid
            s.add(r)
        if json_events:
            print(json.dumps({"event": "error" if self.fail else "done"}))
        return 1 if self.fail else 0


@pytest.fixture
def worker(monkeypatch) -> FakeWorker:
    w = FakeWorker()
    monkeypatch.setattr("aeon_studio.core.cli.train.follow", w)
    return w


def _auto(capsys, *extra: str) -> tuple[int, list[dict]]:
    rc = main(["retrain", "--auto", "--json-events", *extra])
    return rc, [json.loads(x) for x in capsys.readouterr().out.splitlines() if x.startswith("{")]


def _enable(**options: str) -> None:
    args = ["schedule", "set", "--enabled", "on", "--min-new-ratings", "3", "--min-examples-per-domain", "1",
            "--only-when-idle", "off"]
    for k, v in options.items():
        args += [f"--{k.replace('_', '-')}", v]
    assert main(args) == 0


def test_three_rated_replies_make_the_auto_retrain_run_and_gate(worker, capsys, gate):
    _enable()
    capsys.readouterr()
    _rate(2)
    rc, events = _auto(capsys)
    assert rc == 0 and not worker.calls
    assert events == [{"event": "skipped", "persona": "casual", "code": "not_due", "new_ratings": 2,
                       "due_at": events[0]["due_at"], "reason": events[0]["reason"]}]
    assert "2 new rated replies" in events[0]["reason"] and "retrains at 3" in events[0]["reason"]
    assert datetime.fromisoformat(events[0]["due_at"]) > datetime.now(timezone.utc) + timedelta(days=6)

    _rate(1, start=2)
    rc, events = _auto(capsys)
    assert rc == 0 and len(worker.calls) == 1
    kinds = [e["event"] for e in events]
    assert kinds == ["auto_start", "done", "evaluation", "gate", "scheduled"]
    assert ("evaluate", "casual-1", "active", "casual") in gate["calls"]  # always through the gate
    done = events[-1]
    assert done["outcome"] == "promoted" and done["failures"] == 0
    assert done["message"].endswith("improved: golden prompts 1/2 → 1/2; now in use.")
    assert PersonaStore(get_database()).get("casual").adapter_id == "casual-1"

    # the ratings were used: nothing is due any more, and show says so
    rc, events = _auto(capsys)
    assert rc == 0 and len(worker.calls) == 1 and events[0]["code"] == "not_due" and events[0]["new_ratings"] == 0
    assert main(["schedule", "show", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["enabled"] and shown["min_new_ratings"] == 3 and shown["new_ratings"] == 0
    assert shown["last_outcome"] == "promoted" and shown["last_run"] and shown["next_due"] is None
    for key in ("interval_days", "data_days", "min_examples_per_domain"):
        assert key in shown


def test_a_worse_version_is_kept_out_and_said_plainly(worker, capsys, gate):
    _enable()
    _rate(3)
    gate["verdict"] = Verdict(False, ["golden 1/2 → 0/2"])
    rc, events = _auto(capsys)
    assert rc == 0 and events[-1]["outcome"] == "kept"
    assert "was not better; kept the current one" in events[-1]["message"]
    assert PersonaStore(get_database()).get("casual").adapter_id != "casual-1"


def test_off_or_too_few_examples_skips_with_the_reason(worker, capsys):
    rc, events = _auto(capsys)
    assert rc == 0 and events[0]["code"] == "disabled" and "schedule set --enabled on" in events[0]["reason"]
    _enable(min_examples_per_domain="50")
    _rate(3)
    rc, events = _auto(capsys)
    assert rc == 0 and not worker.calls
    assert events[-1]["code"] == "too_few" and "it needs 50" in events[-1]["reason"]


def test_interval_passed_with_new_data_is_due():
    db = get_database()
    sch.update_schedule("casual", enabled=True, min_new_ratings=50, interval_days=7)
    _rate(1)
    later = datetime.now(timezone.utc) + timedelta(days=8)
    assert sch.check_due("casual", db).code == "not_due"
    assert sch.check_due("casual", db, now=later, busy=False).code == "due"
    assert sch.check_due("casual", db, now=later, busy=True).code == "busy"  # only when idle (the default)
    sch.update_schedule("casual", quiet_hours="01:00-01:01")
    check = sch.check_due("casual", db, now=later.replace(hour=12), busy=False)
    assert check.code == "outside_hours" and check.due_at.astimezone().time().hour == 1


def test_quiet_hours_cross_midnight():
    def at(h: int) -> datetime:
        return datetime.now().astimezone().replace(hour=h, minute=0)

    assert sch.in_quiet_hours("22:00-06:00", at(23))[0] and sch.in_quiet_hours("22:00-06:00", at(3))[0]
    assert not sch.in_quiet_hours("22:00-06:00", at(12))[0]
    assert sch.in_quiet_hours("", at(12)) == (True, None)


def test_bad_values_are_refused_and_nothing_is_stored(capsys):
    _enable()
    before = get_settings().schedule_file.read_text()
    for args, words in ((["--interval-days", "0"], "--interval-days must be between 1 and 365 (got 0)"),
                        (["--data-days", "99999"], "--data-days must be between 1 and 3650"),
                        (["--quiet-hours", "25:00-03:00"], "--quiet-hours '25:00-03:00' is not a range of hours"),
                        (["--persona", "nobody", "--data-days", "3"], "nobody")):
        assert main(["schedule", "set", *args]) == 2
        assert words in capsys.readouterr().err
    assert main(["schedule", "set"]) == 2 and "Nothing to change" in capsys.readouterr().err
    assert get_settings().schedule_file.read_text() == before
    get_settings().schedule_file.write_text('{"version": 1,\n "personas": {"casual": {"data_days": -1}}}')
    assert main(["schedule", "show"]) == 2
    err = capsys.readouterr().err
    assert "schedule.json" in err and "personas.casual.data_days" in err
    get_settings().schedule_file.write_text('{"version": 1,\n oops}')
    assert main(["schedule", "show"]) == 2 and "schedule.json:2: not valid JSON" in capsys.readouterr().err


_HOLDER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from aeon_studio.core.training.schedule import RunLock
    RunLock(Path(sys.argv[1])).acquire(persona="casual", run_id=sys.argv[2])
    print("held", flush=True)
    time.sleep(60)
""")


def _holder(run_id: str = "run-gone") -> subprocess.Popen:
    """Another ``retrain --auto`` in the middle of its run: a second process holding the lock."""
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    proc = subprocess.Popen([sys.executable, "-c", _HOLDER, str(get_settings().schedule_lock), run_id],
                            stdout=subprocess.PIPE, text=True, env=env)
    assert proc.stdout.readline().strip() == "held"
    return proc


def test_two_auto_runs_never_train_at_once_and_a_killed_one_releases_the_lock(worker, capsys):
    _enable()
    _rate(3)
    proc = _holder()
    try:
        assert sch.lock_holder()["pid"] == proc.pid
        rc, events = _auto(capsys)
        assert rc == 0 and not worker.calls
        assert events[0]["code"] == "locked" and f"process {proc.pid}" in events[0]["reason"]
        with pytest.raises(sch.ScheduleBusy):  # the same for a caller in this process
            sch.RunLock().acquire()
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert sch.lock_holder() is None  # a dead holder holds nothing
    rc, events = _auto(capsys)
    assert rc == 0 and len(worker.calls) == 1
    assert events[0] == {"event": "interrupted", "persona": "casual", "run": "run-gone",
                         "message": events[0]["message"], "failures": 1}
    assert "did not change" in events[0]["message"]
    assert events[-1]["event"] == "scheduled" and events[-1]["failures"] == 0  # a good run resets the count
    assert sch.lock_holder() is None  # released after the run


def test_three_failures_in_a_row_stop_retrying_until_turned_on_again(monkeypatch, capsys):
    worker = FakeWorker(fail=True)
    monkeypatch.setattr("aeon_studio.core.cli.train.follow", worker)
    _enable()
    _rate(3)
    for n in (1, 2, 3):
        rc, events = _auto(capsys)
        assert rc == 1 and events[-1]["outcome"] == "failed" and events[-1]["failures"] == n
        assert "out of memory" in events[-1]["message"]
    assert events[-1]["stopped"] and "3 times in a row" in events[-1]["stopped_reason"]
    rc, events = _auto(capsys)
    assert rc == 0 and len(worker.calls) == 3 and events[0]["code"] == "stopped"
    assert "out of memory" in events[0]["reason"]
    assert main(["schedule", "show", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["stopped"] and shown["failures"] == 3 and "out of memory" in shown["stopped_reason"]
    assert main(["schedule", "set", "--enabled", "on"]) == 0
    capsys.readouterr()
    assert sch.get_schedule("casual").failures == 0
    worker.fail = False
    rc, events = _auto(capsys)
    assert rc == 0 and events[-1]["outcome"] == "promoted"


def test_old_chats_are_left_out_of_the_data(worker, capsys):
    from sqlmodel import select

    from aeon_studio.core.storage.tables import Message

    _enable(data_days="10")
    _rate(3)
    db = get_database()
    with db.session() as s:  # the first exchange happened 40 days ago
        for m in s.exec(select(Message).where(Message.content.contains("número 0"))):
            m.created_at = datetime.now(timezone.utc) - timedelta(days=40)
            s.add(m)
    rc, events = _auto(capsys)
    assert rc == 0 and events[0]["event"] == "auto_start" and events[0]["examples"] == 2


def test_install_timer(tmp_path, monkeypatch, capsys):
    from aeon_studio.core.training import schedule_timer

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    monkeypatch.setattr(schedule_timer, "systemd_available", lambda: False)
    assert main(["schedule", "install-timer"]) == 2
    assert "systemd is not running" in capsys.readouterr().err
    assert main(["schedule", "install-timer", "--print"]) == 0
    out = capsys.readouterr().out
    assert "retrain --auto" in out and f"AEON_STUDIO_HOME={get_settings().home}" in out and "OnCalendar=hourly" in out

    calls = []
    monkeypatch.setattr(schedule_timer, "systemd_available", lambda: True)
    monkeypatch.setattr(schedule_timer.subprocess, "run", lambda cmd, **kw: calls.append(cmd) or
                        subprocess.CompletedProcess(cmd, 1 if "enable" in cmd else 0, "", "Failed to connect to bus"))
    assert main(["schedule", "install-timer"]) == 2
    assert "Failed to connect to bus" in capsys.readouterr().err
    folder = tmp_path / "cfg" / "systemd" / "user"
    assert not list(folder.iterdir())  # nothing half-installed
    monkeypatch.setattr(schedule_timer.subprocess, "run",
                        lambda cmd, **kw: calls.append(cmd) or subprocess.CompletedProcess(cmd, 0, "", ""))
    assert main(["schedule", "install-timer", "--on-calendar", "daily"]) == 0
    assert sorted(p.name for p in folder.iterdir()) == ["aeon-studio-retrain.service", "aeon-studio-retrain.timer"]
    assert "OnCalendar=daily" in (folder / "aeon-studio-retrain.timer").read_text()
    assert calls[-1] == ["systemctl", "--user", "enable", "--now", "aeon-studio-retrain.timer"]
