"""Schema 4 → 5: dataset examples gain their KTO label and tool definitions; older examples stay as they were."""

from __future__ import annotations

import sqlite3

from aeon_studio.core.datasets.store import DatasetStore
from aeon_studio.core.storage import SCHEMA_VERSION, Database
from aeon_studio.core.storage.datasets_tables import Example


def _as_schema_4(path) -> None:
    """Take the label and tools columns away again: the table as schema 4 had it."""
    with sqlite3.connect(path) as conn:
        conn.execute("DROP INDEX ix_dataset_example_label")
        conn.execute("ALTER TABLE dataset_example DROP COLUMN label")
        conn.execute("ALTER TABLE dataset_example DROP COLUMN tools")
        conn.execute("PRAGMA user_version=4")


def test_schema_4_examples_gain_label_and_tools(tmp_path):
    path = tmp_path / "v4.db"
    db = Database(path)
    DatasetStore(db).add_examples("old", [{"messages": [{"role": "user", "content": "Oi"},
                                                        {"role": "assistant", "content": "Olá!"}]}])
    db.close()
    _as_schema_4(path)
    with sqlite3.connect(path) as conn:
        assert {"label", "tools"}.isdisjoint(r[1] for r in conn.execute("PRAGMA table_info(dataset_example)"))
    db = Database(path)
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 5
        assert {"label", "tools"} <= {r[1] for r in conn.execute("PRAGMA table_info(dataset_example)")}
    store = DatasetStore(db)
    assert store.examples("old", split="all") == [{"messages": [{"role": "user", "content": "Oi"},
                                                                {"role": "assistant", "content": "Olá!"}]}]
    with db.session() as s:  # the new columns are writable through the model
        row = s.get(Example, store.example_rows("old")[0].id)
        assert (row.label, row.tools) == (None, None)
        row.label = False
        s.add(row)
    assert store.examples("old", split="all") == [] and store.undesirable_count("old") == 1
    db.close()
    db = Database(path)  # opening it again changes nothing
    assert DatasetStore(db).stats("old")["undesirable"] == 1
    db.close()
