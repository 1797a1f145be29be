"""The one document chunker (``aeon_studio.core.documents``) and its two users, memory and datasets."""

from __future__ import annotations

import pytest

from aeon_studio.core import documents
from aeon_studio.core.datasets import DatasetError
from aeon_studio.core.datasets import documents as dataset_documents
from aeon_studio.core.documents import DocumentError, pdf_pages, split_passages, stream_passages
from aeon_studio.core.memory import MemoryInputError
from aeon_studio.core.memory.documents import read_document as memory_read


def test_passages_follow_paragraphs_sentences_and_headings():
    text = "# Title\n\nFirst paragraph. " + "Second sentence here. " * 30 + "\n\n## Next\n\nLast words."
    got = split_passages(text, max_chars=200, overlap=40)
    assert got[0].startswith("# Title") and all(len(p) <= 200 + 40 + 1 for p in got)
    assert any(p.startswith("## Next") for p in got), "a heading starts a passage"
    assert got[-1].endswith("Last words.")
    assert split_passages("   \n\n  ") == []
    fence = "```\nline 1\nline 2\n```"
    assert split_passages(fence) == [fence], "a code fence keeps its line breaks"


def test_streamed_text_gives_the_same_passages_with_their_lines():
    text = "".join(f"Paragraph {i}. It has two sentences.\n\n" for i in range(60))
    whole = split_passages(text, max_chars=300, overlap=50)
    chunks = [text[i:i + 37] for i in range(0, len(text), 37)]  # cuts fall inside paragraphs
    streamed = list(stream_passages(chunks, max_chars=300, overlap=50))
    assert [p for _line, p in streamed] == whole
    assert streamed[0][0] == 1 and streamed[1][0] > 1
    assert text.splitlines()[streamed[1][0] - 1].split(".")[0] in streamed[1][1]


def test_damaged_pdf_is_one_error_type_in_each_area(tmp_path):
    bad = tmp_path / "broken.pdf"
    bad.write_bytes(b"%PDF-1.4 garbage")
    with pytest.raises(DocumentError, match="broken.pdf"):
        list(pdf_pages(bad.read_bytes(), bad.name))
    with pytest.raises(DatasetError, match="broken.pdf"):
        list(dataset_documents.read_document(bad))
    with pytest.raises(MemoryInputError, match="broken.pdf"):
        memory_read(bad)


def test_memory_and_datasets_read_the_same_files(tmp_path):
    doc = tmp_path / "notes.markdown"
    doc.write_text("\ufeff# Notes\n\nThe codename is Falcon.\n", encoding="utf-8")
    text, digest = memory_read(doc)
    assert split_passages(text) == [p for _ref, p in dataset_documents.read_document(doc)]
    assert len(digest) == 64
    assert dataset_documents.DOCUMENT_EXTENSIONS is documents.DOCUMENT_EXTENSIONS
    with pytest.raises(MemoryInputError, match=".docx"):
        memory_read(tmp_path / "x.docx")
