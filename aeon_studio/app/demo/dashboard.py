"""Demo data and the screenshot of the Dashboard tab (scripts/screenshots.py); never imported by the running app.

:func:`seed_ratings` also seeds ``bench/dashboard.py`` (100k ratings): it writes rows with plain SQL in one
transaction, and imports no Qt.
"""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

PERSONA = "tecnico"
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=timezone.utc)
WEEKS = 10
#: (adapter id, weeks before NOW it went into use, mean Likert) of the demo persona; the last is in use.
VERSIONS = [("tecnico-20261005-1010", 8, 3.6), ("tecnico-20261026-2130", 5, 3.5), ("tecnico-20261109-0815", 3, 4.2)]
#: Mean Likert of replies given without an adapter (the base model) and of the other persona.
BASE_MEAN, OTHER_MEAN = 3.0, 3.4


def _sql(t: datetime) -> str:
    return t.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")


def _likert(rng: random.Random, mean: float) -> int:
    return max(1, min(5, round(rng.gauss(mean, 0.9))))


def _version_at(t: datetime, now: datetime) -> tuple[str | None, float]:
    current: tuple[str | None, float] = (None, BASE_MEAN)
    for adapter_id, weeks_ago, mean in VERSIONS:
        if t >= now - timedelta(weeks=weeks_ago):
            current = (adapter_id, mean)
    return current


def seed_ratings(db, *, ratings: int = 900, now: datetime = NOW, seed: int = 7) -> None:
    """Ten weeks of rated replies of two personas, surveys and arena votes; ``PERSONA`` moves through
    :data:`VERSIONS` (each bound, with its adapter row). Rows only: no adapter folder exists; use a scratch home."""
    from aeon_studio.core.personas import PersonaStore

    rng = random.Random(seed)
    start = now - timedelta(weeks=WEEKS)
    raw = db.engine.raw_connection()
    try:
        cur = raw.cursor()
        for adapter_id, weeks_ago, _mean in VERSIONS:
            born = now - timedelta(weeks=weeks_ago, hours=6)
            cur.execute("INSERT OR IGNORE INTO adapter (id, name, base_model_id, path, method, spec, metrics, status, "
                        "created_at, persona_key, verdict) VALUES (?, ?, 'smollm2-135m-instruct', ?, 'sft', '{}', "
                        "'{}', 'ready', ?, ?, ?)", (adapter_id, adapter_id, f"/demo/{adapter_id}", _sql(born),
                                                    PERSONA, json.dumps({"promoted": True, "by": "gate"})))
            cur.execute("INSERT INTO adapter_binding (persona_key, adapter_id, created_at) VALUES (?, ?, ?)",
                        (PERSONA, adapter_id, _sql(now - timedelta(weeks=weeks_ago))))
        cur.execute("INSERT INTO conversation (title, persona_key, model_id, created_at, updated_at) "
                    "VALUES ('demo', ?, 'smollm2-135m-instruct', ?, ?)", (PERSONA, _sql(start), _sql(now)))
        conv = cur.lastrowid
        times = sorted(start + timedelta(seconds=rng.uniform(0, WEEKS * 7 * 86400)) for _i in range(ratings))
        next_id = (cur.execute("SELECT COALESCE(MAX(id), 0) FROM message").fetchone()[0]) + 1
        messages, rows, surveys = [], [], []
        for i, t in enumerate(times):
            persona = PERSONA if rng.random() < 0.7 else "casual"
            adapter, mean = _version_at(t, now) if persona == PERSONA else (None, OTHER_MEAN)
            mid = next_id + i
            messages.append((mid, conv, "assistant", "…", _sql(t), persona, "smollm2-135m-instruct", adapter, mid,
                             1, "{}"))
            rows.append((mid, _likert(rng, mean), _sql(t), _sql(t)))
            if rng.random() < 0.08:  # about every 12th rating, the survey
                later = _sql(t + timedelta(seconds=30))
                surveys.append(("nps", max(0, min(10, round(rng.gauss(mean * 2.2, 1.6)))), later))
                surveys.append(("usability", max(1, min(7, round(rng.gauss(mean * 1.35, 0.8)))), later))
        cur.executemany("INSERT INTO message (id, conversation_id, role, content, created_at, persona_key, model_id, "
                        "adapter_id, group_id, active, meta) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", messages)
        cur.executemany("INSERT INTO rating (message_id, likert, created_at, updated_at) VALUES (?, ?, ?, ?)", rows)
        cur.executemany("INSERT INTO survey_answer (kind, value, created_at) VALUES (?, ?, ?)", surveys)
        ids = [a for a, _w, _m in VERSIONS]
        for n in range(60):  # blind comparisons of each version against the one before it
            k = rng.randrange(len(ids))
            older = ids[k - 1] if k else "base"
            p_newer = {0: 0.62, 1: 0.45, 2: 0.7}[k]
            vote = "tie" if rng.random() < 0.12 else ("a" if rng.random() < p_newer else "b")
            t = now - timedelta(weeks=VERSIONS[k][1]) + timedelta(hours=rng.uniform(1, 300))
            cur.execute("INSERT INTO arena_match (id, persona_key, prompt, model_a, model_b, reply_a, reply_b, vote, "
                        "created_at, voted_at) VALUES (?, ?, 'p', ?, ?, 'a', 'b', ?, ?, ?)",
                        (f"dash{seed}{n:03d}", PERSONA, ids[k], older, vote, _sql(min(t, now)), _sql(min(t, now))))
        raw.commit()
    finally:
        raw.close()
    PersonaStore(db).update(PERSONA, adapter_id=VERSIONS[-1][0])


def render_dashboard(ctx: Any, out_dir: Path, *, demo: bool = True) -> Path:
    """Render the tab to ``dashboard_tab.png``; with ``demo`` ten weeks of ratings over three versions of the
    'tecnico' persona, filtered to that persona (the comparison of the version in use with the previous one)."""
    from PySide6.QtWidgets import QApplication

    from aeon_studio.app.dashboard.tab import DashboardTab
    from aeon_studio.app.shared.render import save_grab

    if demo:
        with ctx.db.engine.connect() as conn:
            from sqlalchemy import text

            seeded = conn.execute(text("SELECT 1 FROM adapter WHERE id = :id"), {"id": VERSIONS[0][0]}).first()
        if not seeded:
            seed_ratings(ctx.db)
    tab = DashboardTab(ctx)
    tab.resize(1180, 760)
    tab.show()
    if demo:
        tab.persona_combo.setCurrentIndex(max(0, tab.persona_combo.findData(PERSONA)))
    QApplication.processEvents()
    return save_grab(tab, out_dir, "dashboard_tab.png")
