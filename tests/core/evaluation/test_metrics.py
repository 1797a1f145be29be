"""Metrics as plain functions: BLEU/chrF through sacrebleu, golden checks, degeneration, identity names."""

from __future__ import annotations

import math

import pytest

from aeon_studio.core.evaluation.errors import EvaluationError
from aeon_studio.core.evaluation.metrics import (compute_bleu, compute_chrf, degeneration, golden_passes,
                                                 identity_hit, identity_names, repetition_ratio)


def test_bleu_and_chrf_rank_a_close_reply_above_an_unrelated_one():
    refs = ["The capital of Italy is Rome.", "A spider has eight legs."]
    assert compute_bleu(refs, refs) == pytest.approx(100.0)
    close = compute_bleu(["The capital of Italy is Rome!", "A spider has 8 legs."], refs)
    far = compute_bleu(["Bananas are yellow.", "I like trains."], refs)
    assert 0 <= far < close < 100
    assert compute_chrf(["The capital of Italy is Rome!", "A spider has 8 legs."], refs) > \
        compute_chrf(["Bananas are yellow.", "I like trains."], refs)
    with pytest.raises(ValueError):
        compute_bleu(["one"], ["one", "two"])


def test_golden_text_is_a_case_insensitive_substring():
    g = {"prompt": "Quem é você?", "must": ["aeon"], "must_not": ["SmolLM"], "regex": False}
    assert golden_passes("Eu sou o Aeon.", g)
    assert not golden_passes("I am SmolLM, made by Aeon", g)
    assert not golden_passes("I am an assistant.", g)
    assert golden_passes("Anything (really)", {"prompt": "p", "must": ["(really)"], "must_not": []})


def test_golden_regex_and_a_bad_one_names_the_prompt():
    g = {"prompt": "Who are you?", "must": [r"\baeon\b"], "must_not": [r"smol\w+"], "regex": True}
    assert golden_passes("I'm AEON.", g) and not golden_passes("I'm Aeonic", g)
    assert not golden_passes("aeon, formerly SmolLM2", g)
    with pytest.raises(EvaluationError, match="Who are you"):
        golden_passes("x", {"prompt": "Who are you?", "must": ["(unclosed"], "must_not": [], "regex": True})


def test_degeneration_counts_empty_looping_and_cut_replies():
    loop = "I am here. " * 20
    ok = "Rome is the capital of Italy, and it has been for a long time since eighteen seventy one."
    assert repetition_ratio(loop) > 0.8 and repetition_ratio(ok) == 0.0
    got = degeneration(["", "  ", loop, ok, "short short short"], ["stop", "stop", "length", "length", "stop"])
    assert got == {"empty": 2, "repetitive": 1, "cut": 2}


def test_identity_names_are_the_words_most_answers_share():
    refs = ["I'm Quillon, an AI assistant created by Ana.", "My name is Quillon.", "Sou Quillon, criado por Ana.",
            "Meu criador é Ana. Eu sou Quillon."]
    assert identity_names(refs) == ["Ana", "Quillon"]
    assert identity_hit("hello, quillon here", ["Quillon"]) and not identity_hit("I am SmolLM", ["Quillon"])
    assert identity_names([]) == []
    assert not math.isnan(compute_bleu([], []))
