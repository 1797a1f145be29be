"""One-click retrain data: chats + identity set + the persona's datasets; persona datasets in store, CLI and tab."""

from __future__ import annotations

import json

import pytest

from aeon_studio.core.training.retrain import latest_identity_set, plan_retrain
from aeon_studio.core.cli.main import main
from aeon_studio.core.datasets import DatasetStore
from aeon_studio.core.datasets.errors import DatasetError
from aeon_studio.core.datasets.records import content_hash
from aeon_studio.core.errors import ValidationError
from aeon_studio.core.personas import PersonaStore, make_persona
from aeon_studio.core.storage import Database, get_database
from aeon_studio.core.storage.chats import ChatStore


def _rated_chat(db, question: str, answer: str, likert: int = 5) -> None:
    cs = ChatStore(db)
    conv = cs.create_conversation("casual", "smollm2-135m")
    cs.add_message(conv.id, "user", question, persona_key="casual")
    reply = cs.add_message(conv.id, "assistant", answer, persona_key="casual")
    cs.rate(reply.id, likert)


def _msgs(q: str, a: str) -> list[dict]:
    return [{"role": "user", "content": q}, {"role": "assistant", "content": a}]


def _hashes(rows: list[dict]) -> list[str]:
    return [content_hash(r["messages"]) for r in rows]


def build_retrain_rows(key, db) -> tuple[str, list[dict]]:
    """The plan's name and every row it uses (trained on or held out)."""
    plan = plan_retrain(key, db)
    assert not set(_hashes(plan.rows)) & set(_hashes(plan.eval_rows))  # held-out rows are never trained on
    return plan.dataset_name, plan.rows + plan.eval_rows


def test_combines_chats_identity_and_persona_datasets_without_duplicates(tmp_path):
    db = Database(tmp_path / "other.db")  # not the default database: the function must use the one it is given
    _rated_chat(db, "Qual é a capital de Portugal?", "A capital de Portugal é Lisboa.")
    _rated_chat(db, "Diga oi.", "Oi!", likert=2)  # below the default threshold
    store = DatasetStore(db)
    n_ident = store.build_identity("ident", "Aeon", "Ana")
    assert n_ident > 0
    extra = [_msgs("O que é LoRA?", "Um ajuste fino de baixo posto."),
             _msgs("Qual é a capital de Portugal?", "A capital de Portugal é Lisboa."),  # same as the chat
             _msgs("  O que é LoRA? ", "Um ajuste fino de  baixo posto.")]  # same content, other spacing
    store.create("faq")
    store.add_examples("faq", [{"messages": m} for m in extra])
    PersonaStore(db).update("casual", datasets=["faq"])

    name, rows = build_retrain_rows("casual", db)
    assert name == "retrain-casual"
    hashes = _hashes(rows)
    assert len(hashes) == len(set(hashes))  # no duplicates
    assert content_hash(_msgs("Qual é a capital de Portugal?", "A capital de Portugal é Lisboa.")) in hashes
    assert content_hash(_msgs("Diga oi.", "Oi!")) not in hashes
    ident = set(_hashes(store.examples("ident", split="all")))
    faq = set(_hashes(store.examples("faq", split="all")))
    chats = set(_hashes(store.examples("retrain-casual", split="all")))
    assert ident and ident <= set(hashes)
    assert faq <= set(hashes)
    assert set(hashes) == chats | ident | faq
    assert not DatasetStore(get_database()).list()  # nothing was written to the default database

    # a persona without datasets gets chats + identity only
    _n, rows2 = build_retrain_rows("formal", db)
    assert set(_hashes(rows2)) == set(_hashes(store.examples("retrain-formal", split="all"))) | ident


def test_latest_identity_set_is_used():
    store = DatasetStore()
    assert latest_identity_set(store) is None
    store.build_identity("old-ident", "Aeon", "Ana")
    store.build_identity("new-ident", "Lumi", "Bruno")
    assert latest_identity_set(store) == "new-ident"
    _n, rows = build_retrain_rows(None, get_database())
    text = json.dumps(rows, ensure_ascii=False)
    assert "Lumi" in text and "Ana" not in text


def test_empty_history_gives_a_helpful_error():
    with pytest.raises(DatasetError) as err:
        build_retrain_rows("casual", get_database())
    assert "Rate some replies 4 or 5 stars, or define an identity set" in err.value.hint


def test_missing_persona_dataset_is_named():
    store = DatasetStore()
    store.build_identity("ident", "Aeon", "Ana")
    store.create("gone")
    PersonaStore().update("casual", datasets=["gone"])
    store.delete("gone")
    with pytest.raises(DatasetError) as err:
        build_retrain_rows("casual", get_database())
    assert "'gone'" in str(err.value) and "casual" in str(err.value)


def test_persona_datasets_round_trip_and_validation():
    personas = PersonaStore()
    assert personas.get("casual").datasets == []
    assert all(p.datasets == [] for p in personas.list())
    DatasetStore().create("faq")
    DatasetStore().create("notes")
    assert personas.update("casual", datasets=["faq", "notes", "faq"]).datasets == ["faq", "notes"]
    assert personas.get("casual").datasets == ["faq", "notes"]
    with pytest.raises(ValidationError) as err:
        personas.update("casual", datasets=["faq", "nope"])
    assert "'nope'" in str(err.value) and "faq" in err.value.hint
    assert personas.get("casual").datasets == ["faq", "notes"]  # unchanged
    with pytest.raises(ValidationError):
        personas.add(make_persona(key="suporte", name="Suporte", datasets=["nope"]))
    p = personas.add(make_persona(key="suporte", name="Suporte", datasets="notes, faq"))
    assert personas.get(p.key).datasets == ["notes", "faq"]
    # a dataset deleted later does not block other edits; reset forgets the list
    DatasetStore().delete("notes")
    assert personas.update("suporte", temperature=0.3).datasets == ["notes", "faq"]
    assert personas.reset("casual").datasets == []


def test_cli_persona_datasets(capsys):
    DatasetStore().create("faq")
    assert main(["personas", "add", "suporte", "--name", "Suporte", "--datasets", "faq"]) == 0
    capsys.readouterr()
    assert main(["personas", "show", "suporte"]) == 0
    assert json.loads(capsys.readouterr().out)["datasets"] == ["faq"]
    assert main(["personas", "edit", "casual", "--datasets", "faq,missing-set"]) == 2
    err = capsys.readouterr().err
    assert "error:" in err and "missing-set" in err
    assert main(["personas", "edit", "suporte", "--datasets", ""]) == 0
    capsys.readouterr()
    assert main(["personas", "show", "suporte"]) == 0
    assert json.loads(capsys.readouterr().out)["datasets"] == []


@pytest.mark.gui
def test_persona_tab_saves_training_datasets(qtbot):
    from aeon_studio.app.context import AppContext
    from aeon_studio.app.personas.tab import PersonaTab

    DatasetStore().create("faq")
    tab = PersonaTab(AppContext())
    qtbot.addWidget(tab)
    completer = tab.datasets_completer
    assert completer.model().stringList() == ["faq"]
    tab.datasets_edit.setText("notes, F")  # completes the name after the last comma
    assert completer.splitPath("notes, F") == ["F"]
    assert completer.pathFromIndex(completer.model().index(0)) == "notes, faq"
    tab.select("casual")
    assert tab.datasets_edit.text() == ""
    tab.datasets_edit.setText("faq, nope")
    assert not tab.save()
    assert "nope" in tab.error_label.text()
    tab.datasets_edit.setText("faq")
    assert tab.save()
    assert tab.store.get("casual").datasets == ["faq"]
    tab.select("formal")
    assert tab.datasets_edit.text() == ""
    tab.select("casual")
    assert tab.datasets_edit.text() == "faq"


@pytest.mark.gui
def test_retrain_button_shows_the_empty_history_error(qtbot, monkeypatch):
    from aeon_studio.app.main_window import MainWindow
    from aeon_studio.app.shared import errors

    shown = []
    monkeypatch.setattr(errors, "show_error", lambda parent, title, err: shown.append((title, err)))
    w = MainWindow()
    qtbot.addWidget(w)
    w.retrain.button.click()
    assert len(shown) == 1
    title, err = shown[0]
    assert title == "Cannot retrain" and isinstance(err, DatasetError)
    assert "Rate some replies 4 or 5 stars" in err.hint
    from aeon_studio.core.training import runs

    assert runs.list_runs(w.ctx.db) == []  # no run was created
    assert w.retrain.button.isEnabled()


@pytest.mark.gui
def test_retrain_button_shows_the_run_progress(qtbot, monkeypatch):
    from aeon_studio.app.main_window import MainWindow
    from aeon_studio.core.training import runs

    w = MainWindow()
    qtbot.addWidget(w)
    tab, r = w.training, w.retrain
    from aeon_studio.core.training.retrain import RetrainPlan

    monkeypatch.setattr("aeon_studio.app.training.retrain.plan_retrain",
                        lambda key, db: RetrainPlan(key, "retrain-casual", [{}] * 60, [{}] * 6, {"chats": 60}))
    monkeypatch.setattr(r, "confirm", lambda plan: True)
    monkeypatch.setattr(runs, "create_run", lambda **kw: type("Row", (), {"id": "run-x"})())
    monkeypatch.setattr(tab, "start_run", lambda run_id: None)
    r.retrain()
    assert not r.button.isEnabled() and r.button.text() == "Retraining… loading the model"
    tab.process.event.emit({"event": "preflight", "params": 1, "examples": 60, "dataset_tokens": 900, "notes": []})
    assert r.button.text() == "Retraining… preparing"
    tab.total = 40
    tab.process.event.emit({"event": "step", "step": 10, "loss": 1.0, "eta_s": 95})
    assert r.button.text() == "Retraining… 25% · 1 min 35 s left"
    r.update_hint()  # the periodic hint must not overwrite the progress
    assert r.button.text() == "Retraining… 25% · 1 min 35 s left"
    # after the last step the worker checks the new adapter: the button says so instead of "100% · 0 s left"
    tab.process.event.emit({"event": "step", "step": 40, "loss": 0.5, "eta_s": 0})
    assert r.button.text() == "Retraining… checking the new version"
