"""Change notifications: the stores announce committed writes on ``db.changes``; the GUI turns them (and writes of
other processes, through ``PRAGMA data_version``) into one Qt signal on the GUI thread; tabs follow it."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import threading

import pytest

from aeon_studio.core.storage import get_database
from aeon_studio.core.storage.changes import Changes, VersionWatch

ROWS = [{"messages": [{"role": "user", "content": "Oi"}, {"role": "assistant", "content": "Olá!"}]}]


def _recorder(db):
    seen: list[str] = []
    db.changes.subscribe(seen.append)
    return seen


def _finished_run(db, *, examples: int = 42):
    """A run whose worker reported ``done`` (events on disk, as the worker writes them)."""
    from aeon_studio.core.training import runs

    row = runs.create_run(rows=ROWS * 3, dataset_name="chats-nov", persona_key="casual", db=db)
    events = [{"event": "preflight", "examples": examples, "dataset_tokens": 900, "params": 1},
              {"event": "start", "total_steps": 30},
              {"event": "done", "adapter": str(runs.run_dir(row.id) / "adapter"),
               "metrics": {"steps": 30, "first_loss": 3.2, "final_loss": 0.4123, "eval_loss": 0.61,
                           "train_seconds": 95.4, "tokens_per_s": 512.0}}]
    (runs.run_dir(row.id) / "events.jsonl").write_text("".join(json.dumps(e) + "\n" for e in events))
    return row


# -- core ----------------------------------------------------------------------------------------
def test_subscribe_emit_unsubscribe_and_a_broken_listener():
    changes = Changes()
    seen: list[str] = []

    def broken(_topic: str) -> None:
        raise RuntimeError("listener bug")

    changes.subscribe(broken)
    stop = changes.subscribe(seen.append)
    changes.emit("datasets", "adapters")  # the broken listener is logged, the others still hear it
    assert seen == ["datasets", "adapters"]
    stop()
    changes.emit("runs")
    assert seen == ["datasets", "adapters"]


def test_stores_emit_their_topic_after_the_commit():
    from aeon_studio.core.datasets import DatasetStore
    from aeon_studio.core.personas import PersonaStore

    db = get_database()
    visible: list[bool] = []

    def check(topic: str) -> None:  # another connection already sees the row: the notice follows the commit
        if topic == "datasets":
            with sqlite3.connect(db.path) as conn:
                visible.append(conn.execute("SELECT count(*) FROM dataset WHERE name='fresh'").fetchone()[0] == 1)

    db.changes.subscribe(check)
    seen = _recorder(db)
    store = DatasetStore(db)
    store.create("fresh")
    assert seen == ["datasets"] and visible == [True]
    store.create("fresh")  # already there: nothing written, nothing announced
    assert seen == ["datasets"]
    store.add_examples("fresh", ROWS)
    store.delete("fresh")
    PersonaStore(db).update("casual", temperature=0.9)
    assert seen == ["datasets", "datasets", "datasets", "personas"]


def test_runs_announce_runs_and_the_registered_adapter_once():
    from aeon_studio.core.training import runs

    db = get_database()
    seen = _recorder(db)
    row = _finished_run(db)
    assert seen == ["runs"]
    runs.refresh(row.id, exited=True, db=db)
    assert seen == ["runs", "runs", "adapters"]
    runs.refresh(row.id, exited=True, db=db)  # nothing new: no notice (list_runs refreshes rows all the time)
    assert seen == ["runs", "runs", "adapters"]


def test_version_watch_sees_commits_of_other_connections():
    from aeon_studio.core.datasets import DatasetStore

    db = get_database()
    watch = VersionWatch(db.path)
    try:
        assert not watch.changed()
        DatasetStore(db).create("elsewhere")  # the app's own connection pool is "another connection" too
        assert watch.changed()
        assert not watch.changed()
    finally:
        watch.close()


# -- GUI bridge ----------------------------------------------------------------------------------
@pytest.fixture
def ctx(qtbot):
    from aeon_studio.app.context import AppContext

    context = AppContext()
    yield context
    context.close()


@pytest.mark.gui
def test_a_write_on_a_worker_thread_arrives_on_the_gui_thread(qtbot, ctx):
    from PySide6.QtCore import QThread

    from aeon_studio.core.datasets import DatasetStore

    got: list[tuple[frozenset, bool]] = []
    ctx.changes.changed.connect(lambda topics: got.append((topics, QThread.currentThread() is ctx.changes.thread())))
    worker = threading.Thread(target=lambda: DatasetStore(ctx.db).build_identity("me", "Aeon", "Ana"))
    with qtbot.waitSignal(ctx.changes.changed, timeout=10_000):
        worker.start()
    worker.join()
    assert got and "datasets" in got[0][0] and got[0][1]


@pytest.mark.gui
def test_a_write_by_another_process_is_reported(qtbot, ctx, aeon_home):
    ctx.changes.check_other_processes()  # forget what this process wrote while setting up
    code = "from aeon_studio.core.datasets import DatasetStore; DatasetStore().create('from-cli')"
    subprocess.run([sys.executable, "-c", code], check=True, env={**os.environ, "AEON_STUDIO_HOME": str(aeon_home)})
    with qtbot.waitSignal(ctx.changes.changed, timeout=10_000) as blocker:
        assert ctx.changes.check_other_processes()  # what the 2 s poll timer calls
    assert blocker.args == [frozenset({"*"})]


@pytest.mark.gui
def test_training_tab_lists_a_run_made_elsewhere_and_keeps_the_selection(qtbot, ctx):
    from aeon_studio.app.training.tab import TrainingTab
    from aeon_studio.core.datasets import DatasetStore
    from aeon_studio.core.training import runs

    first = runs.create_run(rows=ROWS, dataset_name="a", db=ctx.db)
    tab = TrainingTab(ctx)
    qtbot.addWidget(tab)
    tab.show()
    tab.table.selectRow(0)
    with qtbot.waitSignal(ctx.changes.changed, timeout=10_000):
        second = runs.create_run(rows=ROWS, dataset_name="b", db=ctx.db)  # e.g. the chat's Retrain button
        DatasetStore(ctx.db).build_identity("me", "Aeon", "Ana")
    assert {r.id for r in tab.model.rows} == {first.id, second.id}
    assert tab.model.rows[tab.table.currentIndex().row()].id == first.id
    assert tab.dataset.findData("me") >= 0


@pytest.mark.gui
def test_the_database_does_not_keep_a_dropped_bridge_alive(qtbot):
    """Only the context holds the bridge: when it goes, so do its timers (not later, in the garbage collector,
    on whatever thread runs it)."""
    import gc
    import weakref

    from aeon_studio.app.context import DataChanges
    from aeon_studio.core.datasets import DatasetStore

    db = get_database()
    bridge = DataChanges(db)
    gone = weakref.ref(bridge)
    gc.disable()  # what frees it must be its last reference, not a collection
    try:
        del bridge
        assert gone() is None
    finally:
        gc.enable()
    DatasetStore(db).create("after")  # its leftover subscription is harmless


@pytest.mark.gui
def test_chat_persona_and_memory_tabs_follow_writes_made_elsewhere(qtbot, ctx):
    """A persona added from the CLI (or another tab) shows in the chat's picker and the Personas list without a
    restart, and the form being edited is left alone; a memory the chat stored shows in the Memory tab."""
    from aeon_studio.app.chat.tab import ChatTab
    from aeon_studio.app.memory.tab import MemoryTab
    from aeon_studio.app.personas.tab import PersonaTab
    from aeon_studio.core.personas import PersonaStore, make_persona

    chat, personas, mem = ChatTab(ctx), PersonaTab(ctx), MemoryTab(ctx)
    for w in (chat, personas, mem):
        qtbot.addWidget(w)
        w.show()
    personas.select("formal")
    personas.prompt_edit.setPlainText("typing, not saved yet")
    typed = personas._fields()
    with qtbot.waitSignal(ctx.changes.changed, timeout=10_000):
        PersonaStore(ctx.db).add(make_persona(key="pirata", name="Pirata", system_prompt="Fale como um pirata."))
    assert chat.persona_combo.findData("pirata") >= 0
    assert "pirata" in [r.key for r in personas.model.rows]
    assert personas.current_key == "formal" and personas._fields() == typed

    mem.reload()
    assert not mem.model.rowCount()
    mem.store.add("Meu cachorro se chama Rex.", kind="fact", source="test")
    with qtbot.waitSignal(ctx.changes.changed, timeout=10_000):
        assert ctx.changes.check_other_processes()  # what the 2 s poll timer calls
    qtbot.waitUntil(lambda: mem.model.rowCount() == 1, timeout=10_000)
