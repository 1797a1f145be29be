"""Check the translations: user-visible strings without a translation, and counts that need ngettext.

Strings are read from ``_("…")``, ``N_("…")`` and ``ngettext("…", "…", n)`` calls (a plural entry's key
is ``singular + "\\x00" + plural``, as in :mod:`aeon_studio.core.i18n`). A ``_()`` string whose count
placeholder stands next to a plural noun (``"{n} examples"``, ``"file(s)"``) reads "1 examples" for one:
it must be an ``ngettext`` call with both forms.

Run: .venv/bin/python scripts/i18n_check.py [--lang pt_BR] [--files PATH...] [--po]
Exit code 1 when any string is missing or any count lacks ngettext, so it can gate a release.
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from aeon_studio.core.i18n import PLURAL_SEP, TRANSLATIONS_DIR, parse_po  # noqa: E402

#: ``{name}`` or ``{name:spec}``: a placeholder; a float or percent spec is a measure, not a count.
_PLACEHOLDER = re.compile(r"(?<![{~])\{(\w+)(?::([^}]*))?\}")
#: Words that can stand between a count and its noun ("{n} new ratings", "{n} older message(s)").
_WORD = re.compile(r"\s+([\w-]+(?:\(s\))?)")
#: Words that end the search for a noun (a verb or a preposition comes first: "{id} does not exist").
_STOP = {"is", "are", "was", "were", "has", "have", "had", "does", "do", "did", "of", "in", "to", "from", "and",
         "or", "the", "a", "an", "for", "with", "on", "at", "by", "not", "must", "can", "will", "uses", "as",
         "its", "this", "these", "that", "holds", "means"}
#: Placeholders that name a thing, never a count ("{path} holds", "{persona} --datasets").
_NOT_COUNTS = {"path", "name", "file", "host", "persona", "key", "id", "model", "what", "where", "error", "err",
               "fmt", "kind", "role", "text", "topic", "query", "title", "label", "labels", "list", "names",
               "keys", "url", "command", "status", "state", "arch", "adapter", "message", "hint", "reason",
               "ref", "version", "home", "date", "value", "enc", "spec", "module", "base", "who", "example"}


@dataclass(frozen=True)
class Entry:
    """One translatable string in the source: ``key`` is what the catalogue is looked up with."""

    path: Path
    line: int
    key: str
    func: str

    @property
    def plural(self) -> bool:
        return PLURAL_SEP in self.key

    def msgids(self) -> list[str]:
        return self.key.split(PLURAL_SEP)


def _name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):  # i18n._(...), i18n.ngettext(...)
        return func.attr
    return None


def _text(node: ast.expr) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def entries_in(path: Path) -> list[Entry]:
    """Every ``_``/``N_``/``ngettext`` string in one Python file."""
    out: list[Entry] = []
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = _name(node.func)
        if func in ("_", "N_") and (text := _text(node.args[0])) is not None:
            out.append(Entry(path, node.lineno, text, func))
        elif func == "ngettext" and len(node.args) >= 2:
            one, many = _text(node.args[0]), _text(node.args[1])
            if one is not None and many is not None:
                out.append(Entry(path, node.lineno, one + PLURAL_SEP + many, func))
    return sorted(out, key=lambda e: e.line)


def strings_in(path: Path) -> list[tuple[int, str]]:
    """``(line, key)`` of every translatable string in ``path`` (kept for callers of the old script)."""
    return [(e.line, e.key) for e in entries_in(path)]


def catalogue(lang: str) -> dict[str, str]:
    merged: dict[str, str] = {}
    for po in sorted((TRANSLATIONS_DIR / lang).glob("*.po")):
        merged.update(parse_po(po.read_text(encoding="utf-8")))
    return merged


def source_files(files: list[Path] | None = None) -> list[Path]:
    return [f.resolve() for f in files] if files else sorted((ROOT / "aeon_studio").rglob("*.py"))


def missing(lang: str = "pt_BR", files: list[Path] | None = None) -> list[tuple[Path, int, str]]:
    """``(file, line, key)`` of every string ``lang`` has no translation for (plural keys need every form)."""
    cat = catalogue(lang)
    return [(e.path, e.line, e.key) for f in source_files(files) for e in entries_in(f) if e.key not in cat]


def counted_nouns(text: str) -> list[str]:
    """The ``"{n} noun"`` phrases of ``text`` that read wrong for one (or, in pt_BR, for 0 and 1).

    A count placeholder followed (across at most two other words) by a plural noun, or any ``word(s)``.
    A placeholder with a float or percent spec is a measure (``{r:.1f} tokens/s``) and ``~{n}`` an
    approximation, which is never exactly one.
    """
    found = [m.group(0) for m in re.finditer(r"\b(?!https?\()[\w-]+\(s\)", text)]
    for m in _PLACEHOLDER.finditer(text):
        spec = m.group(2) or ""
        if any(c in spec for c in "f%e") or m.group(1) in _NOT_COUNTS:
            continue
        pos, words = m.end(), []
        for _step in range(3):
            w = _WORD.match(text, pos)
            if w is None:
                break
            word = w.group(1)
            if word.lower() in _STOP or word.startswith("-"):
                break
            words.append(word)
            pos = w.end()
            bare = word.removesuffix("(s)")
            if word.endswith("(s)"):
                break  # already reported
            if len(bare) >= 3 and bare.endswith("s") and not bare.endswith(("ss", "us")):
                found.append(m.group(0) + " " + " ".join(words))
                break
    return found


def counts_without_plural(files: list[Path] | None = None) -> list[tuple[Path, int, str, str]]:
    """``(file, line, text, phrase)`` for each ``_()`` string that shows a count next to a plural noun."""
    return [(e.path, e.line, e.key, phrase) for f in source_files(files) for e in entries_in(f)
            if not e.plural for phrase in counted_nouns(e.key)]


def _po_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t") + '"'


def po_entry(path: Path, line: int, key: str) -> str:
    """An empty ``.po`` entry for ``key`` (singular/plural entries get ``msgstr[0]``/``msgstr[1]``)."""
    head = f"#: {path.relative_to(ROOT)}:{line}\n"
    if PLURAL_SEP in key:
        one, many = key.split(PLURAL_SEP, 1)
        return (head + f"msgid {_po_string(one)}\nmsgid_plural {_po_string(many)}\n"
                'msgstr[0] ""\nmsgstr[1] ""\n')
    return head + f'msgid {_po_string(key)}\nmsgstr ""\n'


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lang", default="pt_BR")
    ap.add_argument("--files", nargs="*", type=Path)
    ap.add_argument("--po", action="store_true", help="print the missing strings as .po entries")
    args = ap.parse_args()
    rows = missing(args.lang, args.files)
    seen: set[str] = set()
    for f, line, key in rows:
        if args.po:
            if key not in seen:
                seen.add(key)
                print(po_entry(f, line, key))
        else:
            print(f"{f.relative_to(ROOT)}:{line}: untranslated: {key.replace(PLURAL_SEP, ' | ')!r}")
    counts = counts_without_plural(args.files)
    for f, line, text, phrase in counts:
        print(f"{f.relative_to(ROOT)}:{line}: needs ngettext ({phrase!r}): {text!r}", file=sys.stderr)
    total = sum(len(entries_in(f)) for f in source_files(args.files))
    print(f"strings without a {args.lang} translation: {len(rows)} of {total}; "
          f"counted strings that need ngettext: {len(counts)}", file=sys.stderr)
    return 1 if rows or counts else 0


if __name__ == "__main__":
    sys.exit(main())
