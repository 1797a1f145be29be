"""Schema 4: adapter versions (persona, parent, dataset hash, evaluation, verdict); golden, evaluation, arena tables."""

from __future__ import annotations

import sqlite3

from aeon_studio.core.storage import SCHEMA_VERSION, Database
from aeon_studio.core.storage.evaluation_tables import ArenaMatch, EvaluationRow, GoldenPrompt
from aeon_studio.core.storage.training_tables import AdapterRow

_V3_ADAPTER = ("CREATE TABLE adapter (id VARCHAR NOT NULL, name VARCHAR NOT NULL, base_model_id VARCHAR NOT NULL, "
               "path VARCHAR NOT NULL, gguf_path VARCHAR, run_id VARCHAR, dataset_name VARCHAR, "
               "method VARCHAR NOT NULL, spec JSON NOT NULL, metrics JSON NOT NULL, status VARCHAR NOT NULL, "
               "created_at DATETIME NOT NULL, PRIMARY KEY (id))")
_V3_RUN = ("CREATE TABLE training_run (id VARCHAR NOT NULL, dataset_name VARCHAR, base_model VARCHAR NOT NULL, "
           "method VARCHAR NOT NULL, preset VARCHAR NOT NULL, status VARCHAR NOT NULL, persona_key VARCHAR, "
           "spec JSON NOT NULL, metrics JSON NOT NULL, error VARCHAR, adapter_id VARCHAR, pid INTEGER, "
           "created_at DATETIME NOT NULL, started_at DATETIME, finished_at DATETIME, PRIMARY KEY (id))")
_V3_BINDING = ("CREATE TABLE adapter_binding (id INTEGER NOT NULL, persona_key VARCHAR NOT NULL, "
               "adapter_id VARCHAR, created_at DATETIME NOT NULL, PRIMARY KEY (id))")


def test_schema_3_database_gains_adapter_versions_and_keeps_its_adapters(tmp_path):
    """Old adapters get their persona from their run, else from the first persona bound to them."""
    path = tmp_path / "v3.db"
    with sqlite3.connect(path) as conn:
        for ddl in (_V3_ADAPTER, _V3_RUN, _V3_BINDING):
            conn.execute(ddl)
        for aid, run in (("casual-v1", "run-1"), ("bound-only", None), ("orphan", None)):
            conn.execute("INSERT INTO adapter VALUES (?, ?, 'smollm2-135m-instruct', '/x', NULL, ?, NULL, 'sft', "
                         "'{}', '{\"train_loss\": 0.5}', 'ready', '2026-01-01 00:00:00')", (aid, aid, run))
        conn.execute("INSERT INTO training_run VALUES ('run-1', NULL, 'm', 'sft', 'quick', 'done', 'casual', '{}', "
                     "'{}', NULL, 'casual-v1', NULL, '2026-01-01 00:00:00', NULL, NULL)")
        conn.execute("INSERT INTO adapter_binding (persona_key, adapter_id, created_at) VALUES "
                     "('formal', 'bound-only', '2026-01-02'), ('casual', 'bound-only', '2026-01-03')")
        conn.execute("PRAGMA user_version=3")
    db = Database(path)
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 5
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert {"golden_prompt", "evaluation", "arena_match"} <= tables
    with db.session() as s:
        rows = {i: s.get(AdapterRow, i) for i in ("casual-v1", "bound-only", "orphan")}
    assert {k: r.persona_key for k, r in rows.items()} == {"casual-v1": "casual", "bound-only": "formal",
                                                           "orphan": None}
    v1 = rows["casual-v1"]
    assert (v1.parent_id, v1.dataset_hash, v1.evaluation_id, v1.verdict) == (None, None, None, {})
    assert v1.metrics == {"train_loss": 0.5} and v1.status == "ready"
    with db.session() as s:  # the new columns are writable through the model
        v1 = s.get(AdapterRow, "casual-v1")
        v1.verdict, v1.parent_id = {"promoted": True, "reasons": ["golden 4/6 → 6/6"], "by": "gate"}, "orphan"
        s.add(v1)
    db.close()
    db = Database(path)  # opening it again changes nothing
    with db.session() as s:
        v1 = s.get(AdapterRow, "casual-v1")
    assert v1.verdict["reasons"] == ["golden 4/6 → 6/6"] and v1.parent_id == "orphan"
    db.close()


def test_new_tables_round_trip_their_json(tmp_path):
    db = Database(tmp_path / "new.db")
    with db.session() as s:
        s.add(GoldenPrompt(persona_key="casual", prompt="Quem é você?", must=["Aeon"], must_not=["SmolLM"]))
        s.add(EvaluationRow(persona_key="casual", candidate="casual-v2", against="active", eval_set_hash="abc",
                            items=[{"id": "r1", "hash": "h1"}], report={"seconds": 1.5}))
        s.add(ArenaMatch(id="k3x9", persona_key=None, prompt="oi", model_a="base", model_b="casual-v2",
                         reply_a="olá", reply_b="oi!"))
        s.add(AdapterRow(id="casual-v2", name="v2", base_model_id="m", path="/p", persona_key="casual"))
    with db.session() as s:
        golden = s.get(GoldenPrompt, 1)
        evaluation = s.get(EvaluationRow, 1)
        match = s.get(ArenaMatch, "k3x9")
        adapter = s.get(AdapterRow, "casual-v2")
    assert (golden.must, golden.must_not, golden.regex) == (["Aeon"], ["SmolLM"], False)
    assert evaluation.items == [{"id": "r1", "hash": "h1"}] and evaluation.verdict is None
    assert (match.vote, match.voted_at) == (None, None)
    assert adapter.verdict == {} and adapter.parent_id is None
    db.close()
