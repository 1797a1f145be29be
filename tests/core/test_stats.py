"""Satisfaction numbers (core/stats.py): grouped by adapter version, persona and week, from the real tables."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import text

from aeon_studio.core.errors import ValidationError
from aeon_studio.core.personas import PersonaStore
from aeon_studio.core.stats import MIN_RATINGS, compare_versions, group_stats, parse_since, version_changes
from aeon_studio.core.storage import get_database
from aeon_studio.core.storage.bindings import record_binding
from aeon_studio.core.storage.chats import ChatStore
from aeon_studio.core.storage.evaluation_tables import ArenaMatch
from aeon_studio.core.storage.training_tables import AdapterRow

T0 = datetime(2026, 11, 2, 12, 0, tzinfo=timezone.utc)  # a Monday


def _at(db, table: str, row_id, when: datetime) -> None:
    with db.engine.begin() as conn:
        conn.execute(text(f"UPDATE {table} SET created_at = :t WHERE id = :id"),
                     {"t": when.strftime("%Y-%m-%d %H:%M:%S.%f"), "id": row_id})


def _reply(store: ChatStore, conv: int, adapter: str | None, likert: int | None, when: datetime,
           persona: str = "casual") -> int:
    store.add_message(conv, "user", "q")
    msg = store.add_message(conv, "assistant", "a", adapter_id=adapter, persona_key=persona)
    _at(store.db, "message", msg.id, when)
    if likert is not None:
        rating = store.rate(msg.id, likert)
        _at(store.db, "rating", rating.id, when)
    return msg.id


def _adapter(db, adapter_id: str, born: datetime) -> None:
    with db.session() as s:
        s.add(AdapterRow(id=adapter_id, name=adapter_id, base_model_id="m", path="/x", persona_key="casual",
                         created_at=born, verdict={"promoted": True, "by": "gate"}))


@pytest.fixture
def db():
    return get_database()


def test_ratings_grouped_by_adapter_version(db):
    store = ChatStore(db)
    conv = store.create_conversation("casual", "m").id
    for i, v in enumerate([3, 3, 4, 2, 3]):  # the base model: 5 ratings
        _reply(store, conv, None, v, T0 + timedelta(hours=i))
    for i in range(12):  # version 1: twelve ratings of 4 and 5
        _reply(store, conv, "casual-v1", 4 + i % 2, T0 + timedelta(days=8, hours=i))
    _reply(store, conv, "casual-v1", None, T0 + timedelta(days=9))  # an unrated reply counts nowhere
    groups = {g.key: g for g in group_stats("adapter", db=db)}
    assert set(groups) == {"base", "casual-v1"}
    base, v1 = groups["base"], groups["casual-v1"]
    assert (base.likert_n, base.likert_mean, base.enough) == (5, 3.0, False)
    assert base.likert_distribution == {1: 0, 2: 1, 3: 3, 4: 1, 5: 0}
    assert (v1.likert_n, v1.likert_mean, v1.enough) == (12, 4.5, True)
    assert v1.likert_low < 4.5 < v1.likert_high and v1.likert_high - v1.likert_low < 1
    assert MIN_RATINGS == 10
    # by week: Mondays; by persona; and the filters
    weeks = {g.key: g.likert_n for g in group_stats("week", db=db)}
    assert weeks == {"2026-11-02": 5, "2026-11-09": 12}
    assert [(g.key, g.likert_n) for g in group_stats("persona", db=db)] == [("casual", 17)]
    assert [g.key for g in group_stats("week", adapter="casual-v1", db=db)] == ["2026-11-09"]
    assert group_stats("adapter", persona="tecnico", db=db) == []
    since = datetime(2026, 11, 9, tzinfo=timezone.utc)
    assert [g.key for g in group_stats("adapter", since=since, db=db)] == ["casual-v1"]


def test_nps_usability_and_arena(db):
    store = ChatStore(db)
    conv = store.create_conversation("casual", "m").id
    _adapter(db, "casual-v1", T0)
    _adapter(db, "casual-v2", T0 + timedelta(days=7))
    _reply(store, conv, "casual-v1", 4, T0 + timedelta(hours=1))
    for value, hours in ((10, 2), (9, 3), (7, 4), (3, 5)):  # answered after v1's reply
        answer = store.add_survey("nps", value)
        _at(db, "survey_answer", answer.id, T0 + timedelta(hours=hours))
    answer = store.add_survey("usability", 6)
    _at(db, "survey_answer", answer.id, T0 + timedelta(hours=6))
    _reply(store, conv, "casual-v2", 5, T0 + timedelta(days=8))
    answer = store.add_survey("nps", 0)
    _at(db, "survey_answer", answer.id, T0 + timedelta(days=8, hours=1))
    with db.session() as s:
        for i, vote in enumerate(("a", "a", "b", "tie", "both-bad", None)):
            s.add(ArenaMatch(id=f"m{i}", persona_key="casual", prompt="p", model_a="casual-v2", model_b="casual-v1",
                             reply_a="x", reply_b="y", vote=vote, voted_at=T0 + timedelta(days=8) if vote else None))
    g = {x.key: x for x in group_stats("adapter", db=db)}
    v1, v2 = g["casual-v1"], g["casual-v2"]
    assert (v1.nps_n, v1.promoters, v1.passives, v1.detractors, v1.nps) == (4, 2, 1, 1, 25.0)
    assert (v1.usability_n, v1.usability_mean) == (1, 6.0)
    assert (v2.nps_n, v2.nps) == (1, -100.0)
    # 4 decided votes (both-bad and the unvoted one left out); a tie is half a win
    assert (v2.arena_n, v2.arena_win_rate) == (4, 0.625) and (v1.arena_n, v1.arena_win_rate) == (4, 0.375)
    week = {x.key: x for x in group_stats("week", db=db)}
    assert week["2026-11-02"].nps_n == 4 and week["2026-11-09"].nps == -100.0
    assert week["2026-11-09"].arena_win_rate == 0.625  # the newer version's record
    assert group_stats("persona", db=db)[0].arena_win_rate == 0.625
    d = v1.as_dict()
    assert {"likert_mean", "likert_n", "nps", "nps_n", "usability_mean", "arena_win_rate"} <= d.keys()
    assert d["likert_distribution"]["4"] == 1


def test_version_changes_and_comparison(db):
    store = ChatStore(db)
    conv = store.create_conversation("casual", "m").id
    _adapter(db, "casual-v1", T0)
    record_binding(db, "casual", "casual-v1")
    PersonaStore(db).update("casual", adapter_id="casual-v1")
    assert compare_versions("casual", db=db).verdict == "no-previous"
    _adapter(db, "casual-v2", T0 + timedelta(days=7))
    record_binding(db, "casual", "casual-v2")
    PersonaStore(db).update("casual", adapter_id="casual-v2")
    changes = version_changes("casual", db=db)
    assert [(c.adapter_id, c.by) for c in changes] == [("casual-v1", "gate"), ("casual-v2", "gate")]
    for i in range(3):
        _reply(store, conv, "casual-v2", 5, T0 + timedelta(days=8, hours=i))
    cmp = compare_versions("casual", db=db)
    assert (cmp.current, cmp.previous, cmp.verdict) == ("casual-v2", "casual-v1", "not-enough")
    for i in range(12):
        _reply(store, conv, "casual-v1", 3 + i % 2, T0 + timedelta(hours=i))
        _reply(store, conv, "casual-v2", 4 + i % 2, T0 + timedelta(days=8, hours=4 + i))
    cmp = compare_versions("casual", db=db)
    assert cmp.verdict == "better" and 0 < cmp.low < cmp.difference < cmp.high
    assert cmp.current_stats.likert_n == 15 and cmp.previous_stats.likert_n == 12


def test_since_and_bad_group():
    now = datetime(2026, 11, 30, tzinfo=timezone.utc)
    assert parse_since("30d", now) == now - timedelta(days=30)
    assert parse_since("2w", now) == now - timedelta(days=14)
    assert parse_since("2026-11-01", now) == datetime(2026, 11, 1, tzinfo=timezone.utc)
    with pytest.raises(ValidationError, match="'soon'"):
        parse_since("soon", now)
    with pytest.raises(ValidationError, match="month"):
        group_stats("month")


def test_empty_database(db):
    assert group_stats("week", db=db) == [] and version_changes(db=db) == []
    cmp = compare_versions("casual", db=db)
    assert (cmp.current, cmp.verdict, cmp.current_stats.likert_n) == ("base", "no-previous", 0)
