"""browse.py: paging, filters, search (non-ASCII too), edits with history, deletes, facets."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest


def bulk_examples(name: str, n: int, *, db=None, start: int = 0) -> int:
    """Insert ``n`` synthetic examples fast (generated inside SQLite, unique fake hashes); returns the dataset id.

    Row ``i``: "question number i" / "answer number i"; source ``chats`` for even i, else ``import``; domain
    general/technical/support/legal by ``i % 4``; rating ``i % 5 + 1`` unless ``i % 3 == 0``; eval when
    ``i % 10 == 0``; created ``i % 40`` days ago.
    """
    from aeon_studio.core.datasets import DatasetStore
    from aeon_studio.core.storage import get_database

    db = db or get_database()
    ds = DatasetStore(db).create(name)
    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
    sql = """
        WITH RECURSIVE seq(i) AS (SELECT ? UNION ALL SELECT i + 1 FROM seq WHERE i < ?)
        INSERT INTO dataset_example (dataset_id, messages, source, source_ref, domain, content_hash, split, rating,
                                     tokens, edited, created_at, updated_at)
        SELECT ?, json_array(json_object('role', 'user', 'content', 'question number ' || i),
                             json_object('role', 'assistant', 'content', 'answer number ' || i)),
               CASE WHEN i % 2 THEN 'import' ELSE 'chats' END, 'bulk.log:' || (i + 1),
               CASE i % 4 WHEN 0 THEN 'general' WHEN 1 THEN 'technical' WHEN 2 THEN 'support' ELSE 'legal' END,
               printf('%08x%056x', ?, i), CASE WHEN i % 10 = 0 THEN 'eval' ELSE 'train' END,
               CASE WHEN i % 3 THEN i % 5 + 1 END, 12, 0,
               strftime('%Y-%m-%d %H:%M:%f', ?, '-' || (i % 40) || ' days'), ?
        FROM seq"""
    with db.engine.begin() as conn:
        conn.connection.dbapi_connection.execute(sql, (start, start + n - 1, ds.id, ds.id, now, now))
    return int(ds.id)


def _seed_small():
    from aeon_studio.core.datasets import DatasetStore

    store = DatasetStore()
    store.add_examples("mix", [
        {"messages": [{"role": "user", "content": "Como instalar o Python?"},
                      {"role": "assistant", "content": "Baixe o instalador em python.org e execute."}], "rating": 5},
        {"messages": [{"role": "user", "content": "Quem é você?"},
                      {"role": "assistant", "content": "Sou o Aeon, seu assistente."}], "rating": 3},
        {"messages": [{"role": "user", "content": "What is a contract?"},
                      {"role": "assistant", "content": "An agreement the law enforces."}]},
        {"messages": [{"role": "user", "content": "100% sure_thing?"},
                      {"role": "assistant", "content": "Yes."}], "source": "chats", "rating": 4},
    ])
    return store


def test_paging_and_count_are_consistent():
    from aeon_studio.core.datasets import browse

    bulk_examples("big", 1000)
    assert browse.count_examples("big") == 1000
    page = browse.query_examples("big", offset=990, limit=50)
    assert len(page) == 10
    assert page[0].messages[0]["content"] == "question number 990"
    ids = [r.id for r in browse.query_examples("big", offset=0, limit=1000)]
    assert ids == sorted(ids) and len(set(ids)) == 1000


def test_filters_source_domain_rating_since():
    from aeon_studio.core.datasets import browse

    bulk_examples("big", 400)
    assert browse.count_examples("big", source="chats") == 200
    assert browse.count_examples("big", domain="legal") == 100
    rated4 = browse.query_examples("big", min_rating=4, limit=1000)
    assert rated4 and all(r.rating is not None and r.rating >= 4 for r in rated4)
    assert len(rated4) == browse.count_examples("big", min_rating=4)
    recent = browse.count_examples("big", since="7d")
    # created_at goes back i % 40 days: days 0..6 (7 of every 40 rows) are in, day 7 is at the border
    assert 70 <= recent <= 80
    assert browse.count_examples("big", since=timedelta(days=100)) == 400
    both = browse.count_examples("big", source="import", domain="technical")
    assert both == 100  # odd i and i % 4 == 1


def test_search_matches_any_turn_accents_and_wildcards():
    from aeon_studio.core.datasets import browse

    _seed_small()
    assert [r.messages[0]["content"] for r in browse.query_examples("mix", search="você")] == ["Quem é você?"]
    assert browse.count_examples("mix", search="PYTHON.ORG") == 1  # reply text, case-insensitive
    assert browse.count_examples("mix", search="100%") == 1  # % is literal, not a wildcard
    assert browse.count_examples("mix", search="Que_") == 0  # _ is literal too
    assert browse.count_examples("mix", search="sure_thing") == 1
    assert browse.count_examples("mix", search="   ") == 4
    assert browse.count_examples("mix", search="nothing like this") == 0


def test_update_example_records_edit_and_rehashes():
    from aeon_studio.core.datasets import DatasetError, browse
    from aeon_studio.core.datasets.store import content_hash

    _seed_small()
    row = browse.query_examples("mix", search="contract")[0]
    old = row.messages
    new = [{"role": "user", "content": "What is a contract under Brazilian law?"},
           {"role": "assistant", "content": "An agreement between parties that a court will enforce."}]
    got = browse.update_example(row.id, new)
    assert got.messages == new and got.edited and got.content_hash == content_hash(new)
    assert got.domain == "legal"
    edits = browse.example_edits(row.id)
    assert len(edits) == 1 and edits[0].before == old
    assert browse.get_example(row.id).messages == new
    # invalid or duplicate edits change nothing
    with pytest.raises(DatasetError, match="last turn"):
        browse.update_example(row.id, new[:1])
    dup = browse.query_examples("mix", search="você")[0].messages
    with pytest.raises(DatasetError, match="already has"):
        browse.update_example(row.id, dup)
    assert browse.get_example(row.id).messages == new and len(browse.example_edits(row.id)) == 1
    with pytest.raises(DatasetError, match="does not exist"):
        browse.update_example(999999, new)


def test_delete_examples_and_facets():
    from aeon_studio.core.datasets import DatasetStore, browse

    bulk_examples("big", 30)
    facets = browse.facets("big")
    assert facets["sources"] == ["chats", "import"]
    assert facets["domains"] == ["general", "legal", "support", "technical"]
    assert facets["ratings"] == [1, 2, 3, 4, 5]
    ids = [r.id for r in browse.query_examples("big", limit=15)]
    assert browse.delete_examples(ids) == 15
    assert browse.delete_examples([]) == 0
    assert browse.count_examples("big") == 15
    # under 20 rows every example goes back to train
    st = DatasetStore().stats("big")
    assert st["examples"] == 15 and st["eval"] == 0


def test_unknown_dataset_is_a_dataset_error():
    from aeon_studio.core.datasets import DatasetError, browse

    with pytest.raises(DatasetError, match="No dataset"):
        browse.count_examples("missing")


def test_first_turns():
    from aeon_studio.core.datasets.browse import first_turns

    assert first_turns([{"role": "system", "content": "s"}, {"role": "user", "content": "u"},
                        {"role": "assistant", "content": "a"}]) == ("u", "a")
    assert first_turns([]) == ("", "")
