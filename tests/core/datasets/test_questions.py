"""Question candidates from a document passage with the real embedded SmolLM2; exact token counts with its
tokenizer (vocab only)."""

from __future__ import annotations

import pytest

from aeon_studio.core.cli.main import main
from aeon_studio.core.datasets import DatasetStore, convert_file

pytestmark = pytest.mark.model


def test_questions_from_document_with_smollm2(tmp_path, capsys):
    doc = tmp_path / "faq.md"
    doc.write_text("Aeon Studio is a desktop app. It runs language models locally on your computer, "
                   "so your chats never leave your machine.\n", encoding="utf-8")
    assert main(["dataset", "questions", "docs", "--from", str(doc), "--per-passage", "1",
                 "--max-tokens", "40"]) == 0
    assert "1 candidate waiting for review" in capsys.readouterr().out
    store = DatasetStore()
    (cand,) = store.list_candidates("docs")
    assert cand.question.strip() and cand.answer.strip() and cand.passage_ref == "faq.md:1"
    assert cand.model_id == "smollm2-135m-instruct" and "desktop app" in cand.passage
    assert main(["dataset", "accept", str(cand.id), "--question", "Where does Aeon Studio run models?"]) == 0
    (ex,) = store.examples("docs", split="all")
    assert ex["messages"][0]["content"] == "Where does Aeon Studio run models?"
    assert ex["messages"][1]["content"] == cand.answer.strip()


def test_max_tokens_with_the_model_tokenizer(tmp_path, smollm2_path):
    src = tmp_path / "c.log"
    src.write_text("VOCÊ: Oi\nAEON: " + "reembolsável " * 30 + "\n\nVOCÊ: Oi de novo\nAEON: Olá\n",
                   encoding="utf-8")
    # the estimate (~105 tokens) fits 150; SmolLM2's tokenizer counts ~200 for this Portuguese text
    est = convert_file(src, tmp_path / "a.jsonl", max_tokens=150)
    exact = convert_file(src, tmp_path / "b.jsonl", max_tokens=150, tokenizer=smollm2_path)
    assert est.imported == 2
    assert exact.imported == 1 and "tokens" in exact.problems[0] and exact.problems[0].startswith("c.log:1")
