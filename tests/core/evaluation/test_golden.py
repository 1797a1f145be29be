"""Golden prompts: add/list/get/update/remove, validation that stores nothing half-way, matching."""

from __future__ import annotations

import pytest

from aeon_studio.core.errors import NotFoundError
from aeon_studio.core.evaluation import EvaluationError
from aeon_studio.core.evaluation.golden import (add_golden, as_dict, get_golden, golden_failures, list_golden,
                                                remove_golden, update_golden)
from aeon_studio.core.storage import get_database


def test_add_list_get_remove_per_persona():
    seen: list[str] = []
    get_database().changes.subscribe(seen.append)
    g = add_golden("casual", "  Quem é você? ", must=["Aeon", " ", "Aeon"], must_not=["SmolLM"])
    add_golden("formal", "Who are you?", must=["Aeon"])
    assert (g.prompt, g.must, g.must_not, g.regex) == ("Quem é você?", ["Aeon"], ["SmolLM"], False)
    assert [x.prompt for x in list_golden("casual")] == ["Quem é você?"]
    assert len(list_golden()) == 2 and list_golden("tecnico") == []
    assert get_golden(g.id).must_not == ["SmolLM"]
    assert as_dict(g)["must"] == ["Aeon"] and as_dict(g)["persona_key"] == "casual"
    assert remove_golden(g.id).prompt == "Quem é você?"
    assert [x.persona_key for x in list_golden()] == ["formal"]
    with pytest.raises(NotFoundError, match="golden list"):
        get_golden(g.id)
    with pytest.raises(NotFoundError):
        remove_golden(g.id)
    assert seen.count("golden") == 3


@pytest.mark.parametrize("kwargs, words", [
    ({"prompt": "   ", "must": ["Aeon"]}, "needs a question"),
    ({"prompt": "Who are you?", "must": [" "], "must_not": []}, "--must"),
    ({"prompt": "Who are you?", "must": ["Aeon", "(unclosed"], "regex": True}, "(unclosed"),
])
def test_bad_golden_prompts_are_refused_and_nothing_is_stored(kwargs, words):
    with pytest.raises(EvaluationError) as err:
        add_golden("casual", **kwargs)
    assert words in str(err.value) and err.value.hint
    assert list_golden() == []


def test_a_bad_regex_names_the_pattern_and_says_what_to_do():
    with pytest.raises(EvaluationError) as err:
        add_golden("casual", "Who?", must_not=["Smol[LM"], regex=True)
    assert "Smol[LM" in err.value.message and "--regex" in err.value.hint
    add_golden("casual", "Who?", must_not=["Smol[LM"])  # as plain text the same entry is fine


def test_unknown_persona_is_refused():
    with pytest.raises(NotFoundError, match="nobody"):
        add_golden("nobody", "Who are you?", must=["Aeon"])
    assert list_golden() == []


def test_update_validates_and_keeps_what_is_not_given():
    g = add_golden("casual", "Who are you?", must=["Aeon"])
    with pytest.raises(EvaluationError):
        update_golden(g.id, must=["a(b"], regex=True)
    assert get_golden(g.id).must == ["Aeon"] and not get_golden(g.id).regex  # unchanged
    u = update_golden(g.id, must_not=["SmolLM"])
    assert (u.prompt, u.must, u.must_not) == ("Who are you?", ["Aeon"], ["SmolLM"])
    assert update_golden(g.id, prompt="Quem é você?").must_not == ["SmolLM"]


def test_matching_is_case_insensitive_text_or_regex():
    g = add_golden("casual", "Who are you?", must=["aeon"], must_not=["smollm"])
    assert golden_failures("I am AEON.", g) == []
    assert golden_failures("I am SmolLM.", g) == ["must: aeon", "must not: smollm"]
    r = {"regex": True, "must": [r"\baeon\b"], "must_not": [r"smol\s*lm"]}
    assert golden_failures("Sou o Aeon!", r) == []
    assert golden_failures("aeonic SMOL LM", r) == [r"must: \baeon\b", r"must not: smol\s*lm"]
    assert golden_failures("Aeon. (a.k.a. x)", {"must": ["a.k.a. x"]}) == []  # plain text: no regex meaning
