"""A reply's memory sources say which part of the search found each memory (meaning, shared words, both)."""

from __future__ import annotations

from aeon_studio.app.memory.sources import MemorySourceDialog, SourceRow


def test_rows_and_dialog_say_what_found_each_memory(qtbot):
    both = SourceRow({"id": 1, "text": "Meu cachorro se chama Thor.", "source": "added by you", "kind": "fact",
                      "score": 0.62, "match": "both", "words": ["cachorro", "chama"], "lexical": 3.1})
    words = SourceRow({"id": 2, "text": "Moro em Belo Horizonte.", "source": "added by you", "kind": "fact",
                       "score": 0.21, "match": "lexical", "words": ["moro"]})
    meaning = SourceRow({"id": 3, "text": "My favourite dish is feijoada.", "source": "added by you",
                         "kind": "fact", "score": 0.42, "match": "dense"})
    old = SourceRow({"id": 4, "text": "I live in Recife.", "source": "added by you", "kind": "fact", "score": 0.81})
    for row in (both, words, meaning, old):
        qtbot.addWidget(row)
    assert both.origin_label.text() == "fact · added by you · similar meaning (62%) · same words: cachorro, chama"
    assert words.origin_label.text().endswith("· same words: moro") and "21%" not in words.origin_label.text()
    assert meaning.origin_label.text().endswith("· similar meaning (42%)")
    assert old.origin_label.text().endswith("· match 81%")  # a reply stored before hybrid recall

    dlg = MemorySourceDialog(both.source, None, forget=lambda _id: None)
    qtbot.addWidget(dlg)
    assert dlg.match_label.text() == "similar meaning · same words: cachorro, chama"
