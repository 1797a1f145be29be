"""Storage: WAL, schema version, refused newer DB, read-only and locked DBs, crash safety."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time

import pytest

from aeon_studio.core.errors import SchemaTooNewError, StorageError, ValidationError
from aeon_studio.core.settings import get_settings
from aeon_studio.core.storage import SCHEMA_VERSION, Database, get_database
from aeon_studio.core.storage.chats import ChatStore, nps_score


def test_home_moves_every_file(aeon_home):
    db = get_database()
    assert db.path == aeon_home / "aeon.db"
    assert get_settings().runs_dir.is_relative_to(aeon_home)
    assert db.path.exists()


def test_wal_and_schema_version():
    db = get_database()
    with sqlite3.connect(db.path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_newer_database_is_refused_and_untouched(tmp_path):
    path = tmp_path / "new.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE future (x)")
        conn.execute(f"PRAGMA user_version={SCHEMA_VERSION + 5}")
    before = path.read_bytes()
    with pytest.raises(SchemaTooNewError) as err:
        Database(path)
    assert "newer" in str(err.value) and str(path) in str(err.value)
    assert path.read_bytes() == before


def test_not_a_database(tmp_path):
    path = tmp_path / "junk.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StorageError) as err:
        Database(path)
    assert str(path) in str(err.value)


def test_locked_database_gives_clear_message(tmp_path):
    path = tmp_path / "locked.db"
    db = Database(path, busy_timeout_s=0.2)
    store = ChatStore(db)
    conv = store.create_conversation("casual", "m")
    reply = store.add_message(conv.id, "assistant", "hi")
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StorageError) as err:
            store.rate(reply.id, 5)
        assert "locked" in str(err.value)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert store.rate(reply.id, 5).likert == 5


def test_read_only_database_gives_clear_message(tmp_path):
    """Run as an unprivileged user when we are root (root ignores file permissions)."""
    folder = tmp_path / "ro"
    folder.mkdir()
    db = Database(folder / "aeon.db")
    ChatStore(db).create_conversation("casual", "m")
    db.close()
    os.chmod(folder / "aeon.db", 0o444)
    os.chmod(folder, 0o555)
    for p in (tmp_path, tmp_path.parent, tmp_path.parent.parent):
        os.chmod(p, os.stat(p).st_mode | 0o055)
    code = textwrap.dedent(f"""
        import os, sys
        from aeon_studio.core.storage import Database
        from aeon_studio.core.storage.chats import ChatStore
        from aeon_studio.core.errors import StorageError
        import aeon_studio.core.storage.engine, sqlalchemy.dialects.sqlite.pysqlite, encodings.idna  # before dropping rights
        if os.geteuid() == 0:
            os.setgid(65534); os.setuid(65534)
        try:
            ChatStore(Database({str(folder / 'aeon.db')!r})).create_conversation("casual", "m")
        except StorageError as e:
            print("STORAGE_ERROR", e); sys.exit(0)
        print("NO ERROR"); sys.exit(1)
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "read-only" in out.stdout or "Cannot open" in out.stdout
    assert "Traceback" not in out.stderr


def test_kill_9_mid_write_keeps_committed_ratings(tmp_path):
    path = tmp_path / "crash.db"
    code = textwrap.dedent(f"""
        import sys
        from aeon_studio.core.storage import Database
        from aeon_studio.core.storage.chats import ChatStore
        store = ChatStore(Database({str(path)!r}))
        conv = store.create_conversation("casual", "m")
        i = 0
        while True:
            m = store.add_message(conv.id, "assistant", "reply " * 200)
            store.rate(m.id, 1 + i % 5)
            i += 1
            print(i, flush=True)
    """)
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    committed = 0
    deadline = time.time() + 60
    while committed < 200 and time.time() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        committed = int(line)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert committed >= 50
    db = Database(path)
    assert db.integrity_check() == "ok"
    assert ChatStore(db).rated_count() >= committed


def test_ratings_and_surveys_validate_and_store_nothing_on_error():
    store = ChatStore(get_database())
    conv = store.create_conversation("casual", "m")
    user = store.add_message(conv.id, "user", "oi")
    reply = store.add_message(conv.id, "assistant", "olá")
    for bad in (0, 6, -1, 3.5, "4", True):
        with pytest.raises(ValidationError):
            store.rate(reply.id, bad)
    with pytest.raises(ValidationError):
        store.rate(user.id, 4)
    assert store.rated_count() == 0
    store.rate(reply.id, 2)
    store.rate(reply.id, 5)  # changeable
    assert store.ratings_for([reply.id]) == {reply.id: 5}
    for kind, bad in (("nps", 11), ("nps", -1), ("usability", 0), ("usability", 8)):
        with pytest.raises(ValidationError):
            store.add_survey(kind, bad)
    store.add_survey("usability", 6)
    for v in (10, 9, 8, 3):
        store.add_survey("nps", v)
    s = store.stats()
    assert (s.messages, s.replies, s.rated, s.likert_avg) == (2, 1, 1, 5.0)
    assert s.usability_avg == 6.0 and s.nps == 25.0


@pytest.mark.parametrize("values,score", [
    ([], None), ([10, 10], 100.0), ([0, 6], -100.0), ([7, 8], 0.0), ([9, 7, 3, 10], 25.0),
])
def test_nps_score(values, score):
    assert nps_score(values) == score


def test_versions_regenerate_and_edit_keep_everything():
    store = ChatStore(get_database())
    conv = store.create_conversation("casual", "m")
    store.add_message(conv.id, "user", "q")
    a = store.add_message(conv.id, "assistant", "v1")
    b = store.add_version(a.id, "v2", edited=False)
    c = store.add_version(b.id, "fixed", edited=True)
    versions = store.versions(a.id)
    assert [v.content for v in versions] == ["v1", "v2", "fixed"]
    assert [v.active for v in versions] == [False, False, True]
    assert c.edited_from_id == b.id and b.regenerates_id == a.id
    store.activate_version(a.id)
    assert [m.content for m in store.messages(conv.id, active_only=True)] == ["q", "v1"]


def test_a_new_version_of_an_earlier_reply_stays_in_its_place():
    store = ChatStore(get_database())
    conv = store.create_conversation("casual", "m")
    store.add_message(conv.id, "user", "q1")
    a1 = store.add_message(conv.id, "assistant", "a1")
    store.add_message(conv.id, "user", "q2")
    store.add_message(conv.id, "assistant", "a2")
    again = store.add_version(a1.id, "a1 again", edited=False)
    store.add_version(again.id, "a1 fixed", edited=True)
    assert [m.content for m in store.messages(conv.id, active_only=True)] == ["q1", "a1 fixed", "q2", "a2"]
    assert [m.content for m in store.messages(conv.id)] == ["q1", "a1", "a1 again", "a1 fixed", "q2", "a2"]
    store.add_message(conv.id, "user", "q3")
    assert [m.content for m in store.messages(conv.id, active_only=True)][-2:] == ["a2", "q3"]


def test_schema_1_database_is_migrated_and_keeps_its_rows(tmp_path):
    """A version-1 database (persona table without ``datasets``) gains the column; its rows survive."""
    from aeon_studio.core.personas import PersonaStore

    path = tmp_path / "v1.db"
    with sqlite3.connect(path) as conn:
        conn.execute(
            "CREATE TABLE persona (key VARCHAR NOT NULL PRIMARY KEY, name VARCHAR NOT NULL, "
            "description VARCHAR NOT NULL, system_prompt VARCHAR NOT NULL, temperature FLOAT NOT NULL, "
            "top_p FLOAT NOT NULL, max_tokens INTEGER NOT NULL, adapter_id VARCHAR, memory_enabled BOOLEAN NOT NULL, "
            "builtin BOOLEAN NOT NULL, updated_at DATETIME NOT NULL)")
        conn.execute("INSERT INTO persona VALUES ('suporte', 'Suporte', 'help desk', 'Be patient.', 0.4, 0.9, 256, "
                     "NULL, 1, 0, '2026-01-01 00:00:00')")
        conn.execute("INSERT INTO persona VALUES ('formal', 'Formal', '', 'Be formal.', 0.35, 0.9, 512, "
                     "NULL, 1, 1, '2026-01-01 00:00:00')")
        conn.execute("PRAGMA user_version=1")
    db = Database(path)
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        cols = {r[1] for r in conn.execute("PRAGMA table_info(persona)")}
        assert "datasets" in cols
    store = PersonaStore(db)
    p = store.get("suporte")
    assert (p.name, p.description, p.temperature, p.max_tokens, p.datasets) == ("Suporte", "help desk", 0.4, 256, [])
    assert store.get("formal").temperature == 0.35 and store.get("formal").customized
    assert store.update("suporte", description="patient help desk").datasets == []
    db.close()
    # opening it again (already at the current schema) changes nothing
    db = Database(path)
    assert PersonaStore(db).get("suporte").description == "patient help desk"
    db.close()


def test_schema_2_database_gains_the_adapter_history_with_the_bound_adapters(tmp_path):
    """A version-2 database: each persona's bound adapter becomes the first entry of its history."""
    from aeon_studio.core.export.adapters import persona_binding, previous_adapter
    from aeon_studio.core.storage.bindings import binding_history, record_binding

    path = tmp_path / "v2.db"
    with sqlite3.connect(path) as conn:
        conn.execute(
            "CREATE TABLE persona (key VARCHAR NOT NULL PRIMARY KEY, name VARCHAR NOT NULL, "
            "description VARCHAR NOT NULL, system_prompt VARCHAR NOT NULL, temperature FLOAT NOT NULL, "
            "top_p FLOAT NOT NULL, max_tokens INTEGER NOT NULL, adapter_id VARCHAR, memory_enabled BOOLEAN NOT NULL, "
            "datasets JSON NOT NULL DEFAULT '[]', builtin BOOLEAN NOT NULL, updated_at DATETIME NOT NULL)")
        conn.execute("INSERT INTO persona VALUES ('casual', 'Casual', '', 'Be casual.', 0.7, 0.95, 512, "
                     "'casual-v1', 1, '[]', 1, '2026-01-02 10:00:00')")
        conn.execute("INSERT INTO persona VALUES ('suporte', 'Suporte', '', 'Be patient.', 0.4, 0.9, 256, "
                     "NULL, 1, '[]', 0, '2026-01-01 00:00:00')")
        conn.execute("PRAGMA user_version=2")
    db = Database(path)
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    history = binding_history(db, "casual")
    assert [(h.persona_key, h.adapter_id) for h in history] == [("casual", "casual-v1")]
    assert history[0].created_at.year == 2026 and binding_history(db, "suporte") == []
    assert previous_adapter("casual", db) is None  # before 'casual-v1': the base model
    assert not persona_binding("suporte", db).can_go_back  # never had an adapter: nothing to go back to
    record_binding(db, "casual", None)  # the table works through the model too
    assert [h.adapter_id for h in binding_history(db, "casual")] == [None, "casual-v1"]
    db.close()
    db = Database(path)  # opening it again changes nothing
    assert len(binding_history(db, "casual")) == 2
    db.close()


def test_binding_adapters_keeps_a_history_and_goes_back_to_the_previous_one(smollm2_path, aeon_home):
    from aeon_studio.core.export.adapters import (activate, deactivate, persona_binding, previous_adapter,
                                                  use_previous)
    from aeon_studio.core.export.demo import random_peft_lora
    from aeon_studio.core.personas import PersonaStore
    from aeon_studio.core.storage.bindings import binding_history
    from aeon_studio.core.storage.training_tables import AdapterRow

    db = get_database()
    for n in (1, 2, 3):
        folder = random_peft_lora(aeon_home / "peft" / str(n), smollm2_path, r=2, seed=n)
        with db.session() as s:
            s.add(AdapterRow(id=f"casual-v{n}", name=f"Casual v{n}", base_model_id="smollm2-135m-instruct",
                             path=str(folder)))
    personas = PersonaStore(db)
    assert previous_adapter("casual") is None and not persona_binding("casual").can_go_back
    with pytest.raises(ValidationError):
        use_previous("casual")
    activate("casual-v1", "casual")
    activate("casual-v1", "casual")  # the same again is not a change
    assert previous_adapter("casual") is None and persona_binding("casual").can_go_back
    activate("casual-v2", "casual")
    assert previous_adapter("casual") == "casual-v1"
    b = persona_binding("casual")
    assert (b.current.name, b.previous.id, b.can_go_back) == ("Casual v2", "casual-v1", True)

    assert use_previous("casual").adapter_id == "casual-v1"
    assert previous_adapter("casual") == "casual-v2"  # and back again
    deactivate("casual")
    assert personas.get("casual").adapter_id is None and previous_adapter("casual") == "casual-v1"
    assert use_previous("casual").adapter_id == "casual-v1"

    activate("casual-v3", "casual")
    with db.session() as s:  # an adapter deleted since is skipped
        s.delete(s.get(AdapterRow, "casual-v1"))
    assert previous_adapter("casual") is None  # v1 is gone; before it, the base model
    assert [h.adapter_id for h in binding_history(db, "casual")] == [
        "casual-v3", "casual-v1", None, "casual-v1", "casual-v2", "casual-v1"]
    assert binding_history(db, "tecnico") == []


def test_deleting_a_conversation_removes_its_messages_and_ratings_without_warnings():
    import warnings

    store = ChatStore(get_database())
    conv = store.create_conversation("casual", "m")
    store.add_message(conv.id, "user", "q")
    store.rate(store.add_message(conv.id, "assistant", "a").id, 4)
    other = store.create_conversation("casual", "m")
    store.add_message(other.id, "user", "keep me")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # SQLAlchemy warned that the queued message deletes matched no rows
        store.delete_conversation(conv.id)
    assert store.messages(conv.id) == [] and store.rated_count() == 0
    assert [m.content for m in store.messages(other.id)] == ["keep me"]
