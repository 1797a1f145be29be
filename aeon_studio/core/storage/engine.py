"""SQLite engine: WAL journal, foreign keys, schema version and migrations.

Storage is the only writer of the database; other modules use the repository
functions in this package, which take and return plain typed objects.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError, DatabaseError as SADatabaseError
from sqlmodel import Session, SQLModel, create_engine

from ..errors import SchemaTooNewError, StorageError
from ..i18n import _
from .changes import Changes

log = logging.getLogger(__name__)

#: Bump when a migration is added below. New *tables* need no migration:
#: ``create_all`` adds them on open.
SCHEMA_VERSION = 5

#: Indexes made on every open (``IF NOT EXISTS``: free once they exist). No schema version for them: an older
#: Aeon Studio reads a database with extra indexes as before. They keep the dashboard's queries (core/stats.py)
#: within 200 ms over 100k ratings: the last reply before a survey answer, ratings since a date.
INDEXES = (
    "CREATE INDEX IF NOT EXISTS ix_message_reply_time ON message (created_at) WHERE role = 'assistant'",
    "CREATE INDEX IF NOT EXISTS ix_rating_time ON rating (created_at, likert, message_id)",
)


def _v1_persona_datasets(conn: sqlite3.Connection) -> None:
    """Schema 1 → 2: personas name the datasets added to their retrain (``persona.datasets``, JSON list)."""
    cols = {r[1] for r in conn.execute("PRAGMA table_info(persona)").fetchall()}
    if cols and "datasets" not in cols:  # no table: create_all builds it with the column
        conn.execute("ALTER TABLE persona ADD COLUMN datasets JSON NOT NULL DEFAULT '[]'")


def _v2_adapter_history(conn: sqlite3.Connection) -> None:
    """Schema 2 → 3: the history of the adapter each persona answers with (``adapter_binding``).

    The table is created here (not by ``create_all``) so the adapters bound before the upgrade can be
    written into it: each becomes its persona's first entry, and "back to the previous version" has a start.
    """
    conn.execute("CREATE TABLE IF NOT EXISTS adapter_binding (id INTEGER NOT NULL, persona_key VARCHAR NOT NULL, "
                 "adapter_id VARCHAR, created_at DATETIME NOT NULL, PRIMARY KEY (id))")
    conn.execute("CREATE INDEX IF NOT EXISTS ix_adapter_binding_persona_key ON adapter_binding (persona_key)")
    cols = {r[1] for r in conn.execute("PRAGMA table_info(persona)").fetchall()}
    if "adapter_id" in cols:
        conn.execute("INSERT INTO adapter_binding (persona_key, adapter_id, created_at) "
                     "SELECT key, adapter_id, updated_at FROM persona WHERE adapter_id IS NOT NULL ORDER BY updated_at")


def _v3_adapter_versions(conn: sqlite3.Connection) -> None:
    """Schema 3 → 4: adapters become versions of a persona (persona, parent, dataset hash, evaluation, verdict).

    The golden prompt, evaluation and arena tables are new (``create_all`` adds them). Adapters trained
    before the upgrade get their persona from their training run, else from the first persona bound to them,
    so they show up in that persona's history; their parent and verdict stay unknown.
    """
    cols = {r[1] for r in conn.execute("PRAGMA table_info(adapter)").fetchall()}
    if not cols:
        return  # no table: create_all builds it with the columns
    for name, ddl in (("persona_key", "VARCHAR"), ("parent_id", "VARCHAR"), ("dataset_hash", "VARCHAR"),
                      ("evaluation_id", "INTEGER"), ("verdict", "JSON NOT NULL DEFAULT '{}'")):
        if name not in cols:
            conn.execute(f"ALTER TABLE adapter ADD COLUMN {name} {ddl}")
    conn.execute("CREATE INDEX IF NOT EXISTS ix_adapter_persona_key ON adapter (persona_key)")
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'").fetchall()}
    run_cols = {r[1] for r in conn.execute("PRAGMA table_info(training_run)").fetchall()}
    if "training_run" in tables and "persona_key" in run_cols:
        conn.execute("UPDATE adapter SET persona_key = (SELECT r.persona_key FROM training_run r "
                     "WHERE r.id = adapter.run_id) WHERE persona_key IS NULL")
    if "adapter_binding" in tables:
        conn.execute("UPDATE adapter SET persona_key = (SELECT b.persona_key FROM adapter_binding b "
                     "WHERE b.adapter_id = adapter.id ORDER BY b.id LIMIT 1) WHERE persona_key IS NULL")


def _v4_example_label_tools(conn: sqlite3.Connection) -> None:
    """Schema 4 → 5: a dataset example keeps its KTO label (``label``: desirable or not) and the tool
    definitions its tool calls refer to (``tools``). Examples stored before are unlabelled and have no tools."""
    cols = {r[1] for r in conn.execute("PRAGMA table_info(dataset_example)").fetchall()}
    if not cols:
        return  # no table: create_all builds it with the columns
    if "label" not in cols:
        conn.execute("ALTER TABLE dataset_example ADD COLUMN label BOOLEAN")
    if "tools" not in cols:
        conn.execute("ALTER TABLE dataset_example ADD COLUMN tools JSON")
    conn.execute("CREATE INDEX IF NOT EXISTS ix_dataset_example_label ON dataset_example (label)")


#: ``MIGRATIONS[n]`` upgrades a database from version ``n`` to ``n + 1``.
MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {1: _v1_persona_datasets, 2: _v2_adapter_history,
                                                               3: _v3_adapter_versions, 4: _v4_example_label_tools}


def _load_tables() -> None:
    """Import every module that defines tables so ``SQLModel.metadata`` knows them."""
    from . import (backend_tables, datasets_tables, evaluation_tables, export_tables, memory_tables,  # noqa: F401
                   routing_tables, tables, training_tables)


def _explain(exc: Exception, path: Path) -> StorageError:
    text = str(exc).lower()
    if "readonly" in text or "read-only" in text:
        return StorageError(
            _("The database {path} is read-only.").format(path=path),
            hint=_("Make the file and its folder writable, or set AEON_STUDIO_HOME to a writable folder."),
        )
    if "locked" in text or "busy" in text:
        return StorageError(
            _("The database {path} is locked by another program.").format(path=path),
            hint=_("Close other Aeon Studio windows or processes using it, then try again."),
        )
    if "not a database" in text or "malformed" in text or "file is encrypted" in text:
        return StorageError(
            _("{path} is not a readable Aeon Studio database ({error}).").format(path=path, error=exc),
            hint=_("Restore it from a backup, or move it away to start with an empty database."),
        )
    if "unable to open" in text:
        return StorageError(
            _("Cannot open the database {path} ({error}).").format(path=path, error=exc),
            hint=_("Check that the folder exists and is writable, or set AEON_STUDIO_HOME."),
        )
    return StorageError(_("Database error in {path}: {error}").format(path=path, error=exc))


class Database:
    """One SQLite file. Cheap to create; open one per process.

    ``changes`` announces committed writes: the stores call ``db.changes.emit(topic)`` after a write, views
    ``db.changes.subscribe(callback)`` (see :mod:`.changes`).
    """

    def __init__(self, path: Path, *, busy_timeout_s: float = 5.0) -> None:
        self.path = Path(path)
        self.changes = Changes()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise _explain(exc, self.path) from exc
        self.engine: Engine = create_engine(
            f"sqlite:///{self.path}",
            connect_args={"timeout": busy_timeout_s, "check_same_thread": False},
        )

        @event.listens_for(self.engine, "connect")
        def _on_connect(dbapi_conn, _record):  # pragma: no cover - exercised by every test
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute(f"PRAGMA busy_timeout={int(busy_timeout_s * 1000)}")
            cur.close()

        self._migrate()

    # -- schema ---------------------------------------------------------------
    def _migrate(self) -> None:
        _load_tables()
        try:
            with self.engine.begin() as conn:
                raw = conn.connection.dbapi_connection
                version = raw.execute("PRAGMA user_version").fetchone()[0]
                if version > SCHEMA_VERSION:
                    raise SchemaTooNewError(
                        _("The database {path} was written by a newer Aeon Studio (schema {found}, this version "
                          "understands up to {known}).").format(path=self.path, found=version, known=SCHEMA_VERSION),
                        hint=_("Update Aeon Studio, or point AEON_STUDIO_HOME at another folder. "
                               "The database was not changed."),
                    )
                mode = raw.execute("PRAGMA journal_mode=WAL").fetchone()[0]
                if str(mode).lower() != "wal":
                    log.warning("SQLite journal mode is %s, not WAL", mode)
                for v in range(version, SCHEMA_VERSION):
                    if v == 0:
                        continue  # a new database: create_all builds the current schema
                    log.info("Migrating database %s from schema %d to %d", self.path, v, v + 1)
                    MIGRATIONS[v](raw)
            SQLModel.metadata.create_all(self.engine)
            with self.engine.begin() as conn:
                for ddl in INDEXES:
                    conn.exec_driver_sql(ddl)
                conn.connection.dbapi_connection.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        except SchemaTooNewError:
            raise
        except (OperationalError, SADatabaseError, sqlite3.Error, OSError) as exc:
            raise _explain(getattr(exc, "orig", exc) or exc, self.path) from exc

    # -- sessions -------------------------------------------------------------
    @contextmanager
    def session(self) -> Iterator[Session]:
        """A transaction: committed on success, rolled back on error."""
        session = Session(self.engine, expire_on_commit=False)
        try:
            yield session
            session.commit()
        except (OperationalError, SADatabaseError) as exc:
            session.rollback()
            raise _explain(getattr(exc, "orig", exc) or exc, self.path) from exc
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def integrity_check(self) -> str:
        with self.engine.connect() as conn:
            return conn.connection.dbapi_connection.execute("PRAGMA integrity_check").fetchone()[0]

    def close(self) -> None:
        self.engine.dispose()


_open: dict[Path, Database] = {}


def get_database(path: Path | None = None) -> Database:
    """The process-wide database for ``path`` (default: the settings' ``db_path``)."""
    if path is None:
        from ..settings import get_settings

        path = get_settings().db_path
    path = Path(path).resolve()
    db = _open.get(path)
    if db is None:
        db = _open[path] = Database(path)
    return db


def close_all() -> None:
    for db in _open.values():
        db.close()
    _open.clear()
