"""English glosses of Portuguese text, so the English-first embedding model can compare meanings across words.

The shipped all-MiniLM-L6-v2 knows that a profession is a job, that Japanese is a language and that a vegetarian
does not eat meat — in English. In Portuguese it mostly matches spelling: "Qual é a minha profissão?" ranked
"Trabalho como engenheira de software" 17th of 24 facts. Cross-language retrieval by dictionary translation
(query and document translated word by word into a pivot language) is an old, well-understood remedy; here the
pivot is English, the language the model knows. :mod:`.embedder` stores, beside each text's own vector, the vector
of its gloss, and compares both halves (see :class:`.embedder.Embedder`).

The dictionaries are FreeDict's Portuguese-English and English-Portuguese (GPL-2.0-or-later), in dictd format, as
Debian ships them (``dict-freedict-por-eng``, ``dict-freedict-eng-por``). ``scripts/setup.sh`` puts them in the
virtual environment, the bundle carries them, and ``/usr/share/dictd`` is looked at too. Without them memory works
as before, with the model alone (:func:`find_dictionaries` returns None and ``memory status`` says so).

How a word is glossed (:meth:`Glossary.gloss`):

- function words (:data:`.lexical.STOP_WORDS`) are left out;
- a Portuguese headword (as written, or without diacritics) gives its first translations;
- otherwise an English headword, a number or a name stays as it is ("laptop", "8443", "Thor");
- otherwise the Portuguese headwords with the same Snowball stem give theirs ("engenheira" → "engenheiro" →
  "engineer", "estudando" → "estudar" → "study");
- a word found nowhere stays as it is;
- a text with no word translated has no gloss: it stands for itself.
"""

from __future__ import annotations

import gzip
import logging
import os
import sys
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .lexical import content_words, fold, pt_stem

log = logging.getLogger(__name__)

#: The dictionaries, by their dictd basename (``NAME.index`` + ``NAME.dict.dz``).
PT_EN, EN_PT = "freedict-por-eng", "freedict-eng-por"
#: Bump when :meth:`Glossary.gloss` changes: stored pivot vectors made by another version are embedded again.
GLOSS_VERSION = 1
#: Translations kept per headword (the first ones are the common senses), and headwords per stem.
PER_WORD, PER_STEM = 3, 2
#: What overrides the folders below (a folder with the dictd files).
ENV = "AEON_STUDIO_DICTD"
_B64 = {c: i for i, c in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")}


def search_dirs() -> list[Path]:
    """Where the dictionaries are looked for, in this order."""
    dirs = [Path(os.environ[ENV])] if os.environ.get(ENV) else []
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        dirs.append(Path(frozen) / "dictd")
    dirs += [Path(sys.prefix) / "share" / "aeon-studio" / "dictd", Path("/usr/share/dictd")]
    return dirs


def find_dictionaries() -> Path | None:
    """The first folder of :func:`search_dirs` with both dictionaries, or None."""
    if os.environ.get(ENV) == "":
        return None  # set empty: no glosses (tests, or a user who wants the model alone)
    for folder in search_dirs():
        if all((folder / f"{name}{ext}").is_file() for name in (PT_EN, EN_PT) for ext in (".index", ".dict.dz")):
            return folder
    return None


def _b64(text: str) -> int:
    n = 0
    for c in text:
        n = n * 64 + _B64[c]
    return n


def read_dictd(folder: Path, name: str) -> dict[str, list[str]]:
    """``headword (lower case) → translations`` of the dictd dictionary ``name`` in ``folder``.

    Raises:
        ValueError: a damaged file, naming the file and line.
    """
    index, data_path = folder / f"{name}.index", folder / f"{name}.dict.dz"
    with gzip.open(data_path, "rb") as f:  # dictzip is gzip with a random-access table gzip ignores
        data = f.read()
    out: dict[str, list[str]] = {}
    with open(index, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            parts = line.rstrip("\n").split("\t")
            if len(parts) != 3 or not all(c in _B64 for c in parts[1] + parts[2]):
                raise ValueError(f"{index}:{lineno}: not a dictd index line (word, offset, length)")
            word, start, size = parts[0], _b64(parts[1]), _b64(parts[2])
            if word.startswith("00database") or word.startswith("00-database"):
                continue
            body = data[start:start + size].decode("utf-8", "replace").split("\n")[1:]  # line 1: word /ipa/
            senses = out.setdefault(word.casefold(), [])
            for sense in body:
                sense = sense.strip()
                head, _dot, rest = sense.partition(". ")
                if head.isdigit():
                    sense = rest
                senses += [t.strip() for t in sense.split(",") if t.strip() and t.strip() not in senses]
    return out


@dataclass
class Glossary:
    """Word-by-word English glosses of Portuguese (and mixed) text."""

    pt_en: dict[str, list[str]]
    en_words: frozenset[str]
    by_stem: dict[str, list[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for word in self.pt_en:
            if " " not in word:
                self.by_stem.setdefault(pt_stem(word), []).append(word)
        for key in list(self.pt_en):  # "informacao" finds "informação"
            self.pt_en.setdefault(fold(key), self.pt_en[key])

    def word(self, word: str) -> list[str]:
        """The English words ``word`` stands for (itself when it has no translation)."""
        lower = word.casefold()
        found = self.pt_en.get(lower) or self.pt_en.get(fold(lower))
        if found:
            return found[:PER_WORD]
        if lower in self.en_words or not word.isalpha():
            return [word]
        heads = self.by_stem.get(pt_stem(lower), [])[:PER_STEM]
        senses = [t for head in heads for t in self.pt_en[head][:PER_WORD]]
        return list(dict.fromkeys(senses)) or [word]

    def gloss(self, text: str) -> str | None:
        """``text`` in English words, function words left out ("Qual é a minha profissão?" → "career
        handicraft occupation"); None when no word of it is translated (English, names, numbers): the text then
        stands for itself."""
        out: list[str] = []
        translated = False
        for word in content_words(text):
            english = self.word(word)
            translated = translated or english != [word]
            out += english
        return " ".join(out) if translated else None


_lock = threading.Lock()


@lru_cache(maxsize=4)
def _load(folder: str) -> Glossary:
    pt_en = read_dictd(Path(folder), PT_EN)
    en_words = frozenset(w for w in read_dictd(Path(folder), EN_PT) if " " not in w)
    log.info("memory glossary: %d Portuguese and %d English headwords from %s", len(pt_en), len(en_words), folder)
    return Glossary(pt_en, en_words)


def load_glossary(folder: Path | None = None) -> Glossary | None:
    """The glossary from ``folder`` (default: :func:`find_dictionaries`), or None without dictionaries or when they
    cannot be read (logged; memory then works with the model alone)."""
    folder = folder or find_dictionaries()
    if folder is None:
        return None
    with _lock:
        try:
            return _load(str(folder))
        except (OSError, ValueError, EOFError) as exc:
            log.error("memory glossary: cannot read the dictionaries in %s: %s", folder, exc)
            return None
