"""The import modules after the split: the store's bulk transaction, the rejects file, and the public names that
``aeon_studio.core.datasets.importers`` keeps for its callers."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

import aeon_studio.core.datasets as datasets_pkg
from aeon_studio.core.datasets import DatasetStore, importers
from aeon_studio.core.datasets.pipeline import RejectsFile
from aeon_studio.core.datasets.records import Record, content_hash


def _row(text: str) -> dict:
    msgs = [{"role": "user", "content": text}, {"role": "assistant", "content": "ok"}]
    return {"messages": msgs, "content_hash": content_hash(msgs)}


def test_bulk_import_commits_touches_and_rolls_back():
    store = DatasetStore()
    ds = store.create("bulk")
    before = store.get("bulk").updated_at
    with store.bulk_import(ds.id) as bulk:
        assert list(bulk.stored_messages()) == []
        assert bulk.add_rows([_row("a"), _row("b")]) == (2, 0)
        assert bulk.add_rows([_row("a")]) == (0, 1)  # a duplicate of a row of this same transaction
        assert bulk.add_passages([("doc.md:1", "text"), ("doc.md:3", "text")]) == 1
    assert [e.messages[0]["content"] for e in store.example_rows("bulk")] == ["a", "b"]
    assert len(store.passages("bulk")) == 1 and store.get("bulk").updated_at >= before

    with pytest.raises(RuntimeError), store.bulk_import(ds.id) as bulk:
        assert [m[0]["content"] for m in bulk.stored_messages()] == ["a", "b"]
        bulk.add_rows([_row("c")])
        raise RuntimeError("cancelled half-way")
    assert [e.messages[0]["content"] for e in store.example_rows("bulk")] == ["a", "b"]


def test_rejects_file_is_created_on_the_first_reject(tmp_path):
    empty = RejectsFile(tmp_path / "none" / "r.jsonl")
    assert empty.close() is False and not empty.path.exists()
    rejects = RejectsFile(tmp_path / "sub" / "r.jsonl")
    rejects.add(Record([{"role": "user", "content": "só"}], "a.log:3", extra={"text": "x"}), "no reply")
    assert rejects.close() is True
    assert json.loads(rejects.path.read_text(encoding="utf-8")) == {
        "ref": "a.log:3", "reason": "no reply", "messages": [{"role": "user", "content": "só"}], "text": "x"}
    raw = RejectsFile(tmp_path / "raw" / "r.jsonl")
    raw.open_binary().write(b'{"ref": "b"}\n')
    assert raw.close() is True and raw.path.read_bytes() == b'{"ref": "b"}\n'


def test_importers_keeps_its_public_names():
    for name in importers.__all__:
        assert getattr(importers, name) is not None, name
    for name in ("FORMATS", "Preview", "ImportSummary", "convert_file", "import_files", "preview_file",
                 "detect_format", "parse_speakers", "DEFAULT_SPEAKERS", "FormatInfo"):
        assert getattr(datasets_pkg, name) is getattr(importers, name), name


def test_split_modules_are_small_and_parallel_does_not_import_importers():
    root = Path(importers.__file__).parent
    for name in ("importers", "detect", "preview", "tokens", "pipeline", "plan", "convert", "parallel"):
        assert len((root / f"{name}.py").read_text(encoding="utf-8").splitlines()) < 450, name
    tree = ast.parse((root / "parallel.py").read_text(encoding="utf-8"))
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert "importers" not in imported and "pipeline" in imported
