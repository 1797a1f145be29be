"""Lexical memory search: SQLite FTS5 over Snowball stems, kept beside the FAISS index in the same database.

The dense index (all-MiniLM-L6-v2) is English-first; a word the user wrote in the question and in the fact
("cachorro", "Thor", "8080") is the surest sign of the right memory in any language. Each item's text is reduced
to search terms here and stored in the FTS5 table ``memory_fts`` (``rowid`` = ``memory_item.id``) in the memory's
own SQLite database, written in the same transaction as the item, so the two never disagree.

Choices:

- **Stems are made in Python** with PyStemmer (the Snowball project's stemmers): FTS5 has no Portuguese stemmer
  and Python's ``sqlite3`` cannot register a custom FTS5 tokenizer. The table's tokenizer
  (``unicode61 remove_diacritics 2``) still folds case and removes diacritics.
- **Portuguese and English stems for every word, no language detection.** Questions and facts are a few words
  long and mix languages ("meu laptop novo"), where detection is guesswork; a word stemmed by the other language's
  stemmer only adds a term. Each word also gets the stem of its unaccented form, so "informação" and a hurried
  "informacao" meet.
- **Function words are dropped** (:data:`STOP_WORDS`), so "de" or "my" alone is never a lexical match (recall
  needs a real match or a close meaning, see :mod:`.store`). The list is written here on purpose: the stop-word
  packages on PyPI (stop-words, stopwordsiso, stopwords) count content words such as "trabalho", "nome" and
  "work" as stop words in Portuguese or English — the very words personal facts are about.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterable, Sequence, Set
from functools import lru_cache
from typing import Any

from sqlalchemy import text as sql

#: Bump when :func:`terms` changes: stores made with another version are re-indexed on open.
TERMS_VERSION = 1
TABLE = "memory_fts"
META_TABLE = "memory_fts_meta"

#: Portuguese and English function words (compared without diacritics: "é" is "e", "você" is "voce").
STOP_WORDS = frozenset("""
a o as os um uma uns umas de do da dos das em no na nos nas num numa nuns numas por pelo pela pelos pelas para pra
pro pros ao aos com sem sob sobre entre ate desde contra apos e ou nem mas porem que se porque pois como quando
onde aonde qual quais quem quanto quanta quantos quantas eu tu ele ela nos vos eles elas voce voces me te lhe lhes
mim ti comigo contigo conosco consigo isso isto aquilo esse essa esses essas este esta estes estas aquele aquela
aqueles aquelas meu minha meus minhas teu tua teus tuas seu sua seus suas nosso nossa nossos nossas dele dela
deles delas sou es somos sao era eram fui foi fomos foram ser sido seja estou estamos estao estava estavam
estive esteve estar tenho tens tem temos tinha tinham tive teve ter ha havia vou vai vamos vao ir nao sim ja
tambem muito muita muitos muitas mais menos so ainda entao aqui ali la cada todo toda todos todas outro outra
outros outras algum alguma alguns algumas favor ai hein ne
the an of in on at to for from by with about as into onto over under between through during before after and or
but nor not no yes if then than so because while i me my mine myself you your yours yourself he him his she
her hers it its we us our ours they them their theirs this that these those is am are was were be been being do
does did doing done have has had having will would can could should shall may might must what which who whom
whose when where why how there here all any some each every very too just also only please don doesn didn
isn aren wasn weren won wouldn cannot ll re ve
""".split())

_WORD = re.compile(r"\w+", re.UNICODE)
_lock = threading.Lock()


def fold(word: str) -> str:
    """``word`` in lower case without diacritics ("Ação" → "acao")."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=1)
def _stemmers() -> tuple[Any, Any]:
    import Stemmer  # PyStemmer: imported on first use only

    return Stemmer.Stemmer("portuguese"), Stemmer.Stemmer("english")


@lru_cache(maxsize=50_000)
def _word_terms(word: str) -> tuple[str, ...]:
    pt, en = _stemmers()
    lower, plain = word.casefold(), fold(word)
    with _lock:  # a PyStemmer object is not safe to share between threads
        found = {fold(pt.stemWord(lower)), pt.stemWord(plain), en.stemWord(plain)}
    return tuple(sorted(t for t in found if t))


def pt_stem(word: str) -> str:
    """The Portuguese Snowball stem of ``word`` (lower case), safe to call from any thread."""
    pt, _en = _stemmers()
    with _lock:  # the same stemmer objects as the word index's
        return pt.stemWord(word.casefold())


def content_words(text: str) -> list[str]:
    """The words of ``text`` that carry meaning: stop words and single letters (not digits) left out."""
    return [w for w in _WORD.findall(text or "")
            if not (len(w) < 2 and not w.isdigit()) and fold(w) not in STOP_WORDS]


def word_terms(text: str) -> list[tuple[str, tuple[str, ...]]]:
    """Each content word of ``text`` with its search terms."""
    return [(word, _word_terms(word)) for word in content_words(text)]


def terms(text: str) -> list[str]:
    """The search terms of ``text``: stems of its content words, without diacritics, each once, in order."""
    return list(dict.fromkeys(t for _w, ts in word_terms(text) for t in ts))


def match_expression(text: str) -> str | None:
    """The FTS5 query for ``text`` (any of its terms), or None when it has no content word."""
    found = terms(text)
    return " OR ".join(f'"{t}"' for t in found) if found else None


def matched_words(query: str, text: str) -> list[str]:
    """The words of ``query`` that ``text`` shares (by stem): what a lexical match rests on, for the user."""
    have = set(terms(text))
    return list(dict.fromkeys(w for w, ts in word_terms(query) if have.intersection(ts)))


def covered(text: str, shown_terms: Set[str]) -> bool:
    """True when every content word of ``text`` is already among ``shown_terms`` (by stem)."""
    words = word_terms(text)
    return bool(words) and all(shown_terms.intersection(ts) for _w, ts in words)


class LexicalIndex:
    """The FTS5 table of one memory database. Writes take the caller's session, so they share its transaction."""

    def __init__(self, db: Any) -> None:
        self.db = db
        self.ready = False

    def ensure(self, *, rebuild: bool = False) -> int:
        """Create the table, index every item it lacks (a store made before hybrid recall, or by an older
        :data:`TERMS_VERSION`; every item with ``rebuild``) and drop rows of items that are gone; returns how many
        items were indexed."""
        with self.db.session() as s:
            s.execute(sql(f"CREATE VIRTUAL TABLE IF NOT EXISTS {TABLE} USING fts5(terms, "
                          "tokenize='unicode61 remove_diacritics 2')"))
            s.execute(sql(f"CREATE TABLE IF NOT EXISTS {META_TABLE} (key TEXT PRIMARY KEY, value TEXT NOT NULL)"))
            version = s.execute(sql(f"SELECT value FROM {META_TABLE} WHERE key = 'terms_version'")).scalar()
            if version != str(TERMS_VERSION) or rebuild:
                s.execute(sql(f"DELETE FROM {TABLE}"))
                s.execute(sql(f"INSERT OR REPLACE INTO {META_TABLE} (key, value) VALUES ('terms_version', :v)"),
                          {"v": str(TERMS_VERSION)})
            s.execute(sql(f"DELETE FROM {TABLE} WHERE rowid NOT IN (SELECT id FROM memory_item)"))
            rows = s.execute(sql(f"SELECT id, text FROM memory_item WHERE id NOT IN (SELECT rowid FROM {TABLE})"))
            missing = rows.all()
            self.add(s, [r[0] for r in missing], [r[1] for r in missing])
        self.ready = True
        return len(missing)

    @staticmethod
    def add(session: Any, ids: Sequence[int], texts: Sequence[str]) -> None:
        """Index these items (inside the session that stores them)."""
        rows = [{"id": int(i), "terms": " ".join(terms(t))} for i, t in zip(ids, texts)]
        if rows:
            session.execute(sql(f"INSERT INTO {TABLE} (rowid, terms) VALUES (:id, :terms)"), rows)

    @staticmethod
    def remove(session: Any, ids: Iterable[int]) -> None:
        """Drop these items (inside the session that deletes or rewrites them)."""
        rows = [{"id": int(i)} for i in ids]
        if rows:
            session.execute(sql(f"DELETE FROM {TABLE} WHERE rowid = :id"), rows)

    def search(self, query: str, k: int) -> list[tuple[int, float]]:
        """``(item id, BM25 score)`` of the ``k`` best lexical matches, best first (higher is better)."""
        expression = match_expression(query)
        if expression is None or k <= 0:
            return []
        with self.db.session() as s:
            rows = s.execute(sql(f"SELECT rowid, -bm25({TABLE}) FROM {TABLE} WHERE {TABLE} MATCH :q "
                                 "ORDER BY rank LIMIT :k"), {"q": expression, "k": int(k)}).all()
        return [(int(i), float(score)) for i, score in rows]
