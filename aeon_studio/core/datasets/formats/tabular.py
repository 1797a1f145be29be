"""CSV/TSV spreadsheets of questions and answers, streamed row by row.

The delimiter is sniffed (``,`` ``;`` tab ``|``); the header names the columns; ``pergunta/resposta`` and the
usual synonyms are recognised (see :data:`.objects.PAIR_KEYS`), or a mapping ``user=COL,assistant=COL
[,system=COL][,input=COL]`` overrides them. A header without usable columns is an error for the whole file,
raised before anything is imported; a bad row is a problem at its own line.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any

from ...i18n import _, ngettext
from ..errors import DatasetError
from ..records import Record
from ..textio import TextFile
from .objects import PAIR_KEYS, read_object

csv.field_size_limit(1 << 28)
DELIMITERS = ",;\t|"


def sniff_dialect(sample: str) -> type[csv.Dialect] | csv.Dialect:
    """The CSV dialect of ``sample`` (the first lines), ``excel`` (comma) when unsure."""
    head = "\n".join(sample.splitlines()[:50])
    try:
        return csv.Sniffer().sniff(head, delimiters=DELIMITERS)
    except csv.Error:
        first = head.split("\n", 1)[0]
        best = max(DELIMITERS, key=first.count)
        if first.count(best):
            class _D(csv.excel):
                delimiter = best
            return _D
        return csv.excel


def parse_columns(spec: str | dict[str, str] | None) -> dict[str, str] | None:
    """``"user=Q,assistant=A"`` (or a dict) → ``{"user": "Q", "assistant": "A"}``; also accepts
    ``question=``/``answer=``/``pergunta=``/``resposta=`` as keys."""
    if spec is None or spec == "" or spec == {}:
        return None
    if isinstance(spec, str):
        out: dict[str, str] = {}
        for part in spec.split(","):
            if not part.strip():
                continue
            if "=" not in part:
                raise DatasetError(_("Bad column mapping '{part}'.").format(part=part.strip()),
                                   hint=_("Write it as user=COLUMN,assistant=COLUMN (optional system=, input=)."))
            k, v = part.split("=", 1)
            out[k.strip().lower()] = v.strip()
        spec = out
    alias = {"question": "user", "pergunta": "user", "prompt": "user", "instruction": "user",
             "answer": "assistant", "resposta": "assistant", "response": "assistant", "output": "assistant"}
    mapping = {alias.get(k.lower(), k.lower()): v for k, v in spec.items()}
    bad = [k for k in mapping if k not in ("user", "assistant", "system", "input")]
    if bad or "user" not in mapping or "assistant" not in mapping:
        raise DatasetError(_("The column mapping needs 'user' and 'assistant' (got: {keys}).").format(
            keys=", ".join(spec)), hint=_("Write it as user=COLUMN,assistant=COLUMN (optional system=, input=)."))
    return mapping


def check_header(header: list[str], mapping: dict[str, str] | None, where: str) -> None:
    """:class:`DatasetError` when the columns cannot give questions and answers."""
    cols = [h.strip().lower() for h in header]
    if mapping:
        missing = [v for v in mapping.values() if v.strip().lower() not in cols]
        if missing:
            raise DatasetError(_("{where}: no column named {missing} (columns: {columns}).").format(
                where=where, missing=", ".join(repr(m) for m in missing), columns=", ".join(header)),
                hint=_("Check --columns against the header line."))
        return
    if any(any(q in cols for q in qk) and any(a in cols for a in ak) for qk, ak in PAIR_KEYS):
        return
    raise DatasetError(
        _("{where}: no question/answer columns (columns: {columns}).").format(where=where, columns=", ".join(header)),
        hint=_("Name them pergunta/resposta, question/answer, prompt/response or instruction/output, or pass "
               "--columns user=COLUMN,assistant=COLUMN."))


def read_csv(tf: TextFile, *, speakers: dict[str, str], columns: str | dict[str, str] | None = None,
             **_ignored: Any) -> Iterator[Record]:
    """Rows of a CSV/TSV file as one-turn conversations (system prompt optional)."""
    mapping = parse_columns(columns)
    pos = tf.handle.tell()
    sample = tf.handle.read(64 * 1024)
    tf.handle.seek(pos)
    dialect = sniff_dialect(sample)
    reader = csv.reader(tf.handle, dialect)
    try:
        header = next(reader)
    except StopIteration:
        return
    except csv.Error as exc:
        raise DatasetError(_("{where}: cannot read the header: {error}").format(where=f"{tf.name}:1", error=exc)) \
            from exc
    header = [tf.fix(h).strip().lstrip("\ufeff") for h in header]
    check_header(header, mapping, f"{tf.name}:1")
    keys = [h.lower() for h in header]
    width = len(keys)
    name = tf.name
    prev = reader.line_num
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            line = prev + 1
            yield Record([], f"{name}:{line}", _("unreadable CSV row: {error}").format(error=exc), line=line)
            prev = reader.line_num
            continue
        line, prev = prev + 1, reader.line_num
        if not row or not any(c.strip() for c in row):
            continue
        ref = f"{name}:{line}"
        if len(row) > width and any(c.strip() for c in row[width:]):
            yield Record([], ref, ngettext("the row has {n} column, the header {m}",
                                          "the row has {n} columns, the header {m}", len(row)).format(
                n=len(row), m=width),
                         line=line, extra={"row": row})
            continue
        obj = {k: tf.fix(v).replace("\r\n", "\n").replace("\r", "\n") for k, v in zip(keys, row)}
        got = read_object(obj, speakers, mapping, strict_label=False)
        if got.messages is None:
            yield Record([], ref, got.problem or _("the row has no question/answer"), line=line, extra={"row": row})
        else:  # the row itself comes along: a reject keeps what the user wrote
            yield Record(got.messages, ref, line=line, extra={"row": row}, rejected=got.rejected, label=got.label)
