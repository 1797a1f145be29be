"""Memory's word index (SQLite FTS5 over Snowball stems): terms, and the index following every change of the store.

The store here embeds with a small deterministic fake (no torch): these tests are about the words.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pytest
from sqlalchemy import text as sql

from aeon_studio.core.memory import MemoryStore
from aeon_studio.core.memory.lexical import (META_TABLE, STOP_WORDS, TABLE, TERMS_VERSION, fold, match_expression,
                                             matched_words, terms)


class HashEmbedder:
    """Unit vectors from a hash of the text: stable, fast, meaningless (by meaning nothing is ever close)."""

    name, dim = "hash-test", 16

    def encode(self, texts, *, batch_size: int = 32) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, t in enumerate(texts):
            seed = int.from_bytes(hashlib.sha256(t.encode()).digest()[:4], "little")
            v = np.random.default_rng(seed).standard_normal(self.dim)
            out[i] = v / np.linalg.norm(v)
        return out

    def warm_up(self) -> None:
        return None


def _store() -> MemoryStore:
    return MemoryStore(embedder=HashEmbedder())


def _found(store: MemoryStore, query: str) -> list[str]:
    return [h.item.text for h in store.search(query, k=10, mode="lexical")]


def test_terms_fold_diacritics_stem_portuguese_and_english_and_drop_function_words():
    assert fold("Ação É Você") == "acao e voce"
    assert set(terms("informação")) & set(terms("informacao"))  # typed without accents
    assert set(terms("cachorros")) & set(terms("cachorro"))
    assert set(terms("trabalhei")) & set(terms("trabalho"))  # "Onde eu trabalho?" finds "trabalhei na…"
    assert set(terms("alérgica")) & set(terms("alergia"))
    assert set(terms("dogs")) & set(terms("dog")) and set(terms("working")) & set(terms("works"))
    # function words of both languages are never a match; content words such as "nome", "trabalho" are kept
    assert terms("O que é isso? Qual é o meu? What is my the of") == []
    assert {"nome", "trabalho", "work", "name"}.isdisjoint(STOP_WORDS)
    assert "8080" in terms("porta 8080") and match_expression("de o the") is None
    assert matched_words("Como se chama o meu cachorro?", "Meu cachorro se chama Thor.") == ["chama", "cachorro"]


def test_search_by_words_ranks_and_ignores_accents_and_case():
    store = _store()
    store.add("Meu cachorro se chama Thor.")
    store.add("Moro em São Paulo, perto do parque.")
    store.add("The backup server runs on port 8080.")
    assert _found(store, "como se chama meu CACHORRO?") == ["Meu cachorro se chama Thor."]
    assert _found(store, "sao paulo") == ["Moro em São Paulo, perto do parque."]
    assert _found(store, "which port?") == ["The backup server runs on port 8080."]
    assert _found(store, "Qual é o seu?") == []  # only function words: nothing, not everything
    hit = store.search("cachorro thor", k=1, mode="lexical")[0]
    assert hit.match == "lexical" and hit.lexical > 0 and hit.words == ["cachorro", "thor"]


def test_word_index_follows_add_update_forget_many_and_import(tmp_path):
    store = _store()
    item = store.add("Minha irmã Juliana mora em Lisboa.")
    assert _found(store, "Juliana") == [item.text]
    store.update(item.id, "Minha irmã Juliana mora no Porto.")
    assert _found(store, "Lisboa") == [] and _found(store, "porto") == ["Minha irmã Juliana mora no Porto."]
    store.forget(item.id)
    assert _found(store, "Juliana") == []
    ids = store.add_many(["Reunião às terças", "Dentista na sexta"], kind="fact", sources=["x", "x"],
                         source_refs=["", ""])
    assert _found(store, "reuniao") == ["Reunião às terças"]
    store.forget_many(ids)
    assert _found(store, "dentista") == []
    doc = tmp_path / "receita.md"
    doc.write_text("Bolo de cenoura: três cenouras, quatro ovos e açúcar.", encoding="utf-8")
    store.import_documents([doc])
    assert _found(store, "cenoura") and store.search("acucar", k=1, mode="lexical")[0].item.kind == "passage"
    doc.write_text("Pão de queijo: polvilho e queijo minas.", encoding="utf-8")
    store.import_documents([doc])  # a changed file replaces its passages: the old words go with them
    assert _found(store, "cenoura") == [] and _found(store, "polvilho")
    with store.db.session() as s:
        rows = s.execute(sql(f"SELECT count(*) FROM {TABLE}")).scalar()
    assert rows == store.count()


def test_a_store_from_before_hybrid_recall_gets_its_word_index_on_open():
    store = _store()
    keep = store.add("Corro no Parque Municipal todo sábado.")
    with store.db.session() as s:  # a database written before the word index existed
        s.execute(sql(f"DROP TABLE {TABLE}"))
        s.execute(sql(f"DROP TABLE {META_TABLE}"))
    reopened = _store()
    assert _found(reopened, "parque") == [keep.text]
    with store.db.session() as s:
        sql_text = s.execute(sql("SELECT sql FROM sqlite_master WHERE name = :n"), {"n": TABLE}).scalar()
        # another version of the terms, and a row left by an item deleted behind the store's back
        s.execute(sql(f"UPDATE {META_TABLE} SET value = '0' WHERE key = 'terms_version'"))
        s.execute(sql(f"INSERT INTO {TABLE} (rowid, terms) VALUES (999, 'fantasma')"))
    assert "remove_diacritics 2" in sql_text
    again = _store()
    assert _found(again, "fantasma") == [] and _found(again, "sabado") == [keep.text]
    with store.db.session() as s:
        assert s.execute(sql(f"SELECT value FROM {META_TABLE}")).scalar() == str(TERMS_VERSION)


def test_rebuild_makes_the_word_index_again():
    store = _store()
    item = store.add("Minha bicicleta é azul.")
    with store.db.session() as s:  # a damaged row: the item's words are wrong
        s.execute(sql(f"UPDATE {TABLE} SET terms = 'vermelh' WHERE rowid = :id"), {"id": item.id})
    assert _found(store, "bicicleta") == []
    store.rebuild()
    assert _found(store, "bicicleta") == [item.text] and _found(store, "vermelha") == []


def test_search_mode_is_checked():
    with pytest.raises(ValueError):
        _store().search("x", mode="fuzzy")
