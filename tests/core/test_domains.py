"""Domain classification (pt and en), its explanation, editing the domains, and bad input."""

from __future__ import annotations

import json
import time

import pytest

from aeon_studio.core import domains
from aeon_studio.core.datasets.records import tag_domain
from aeon_studio.core.errors import NotFoundError, ValidationError

MESSAGES = [
    ("Meu código Python dá erro ao importar o módulo", "technical"),
    ("How do I install this on a Linux server?", "technical"),
    ("Preciso de ajuda, minha senha não funciona", "support"),
    ("I want a refund for my order", "support"),
    ("O contrato segue a LGPD? Preciso de um advogado?", "legal"),
    ("Does the GPL license let me sell the software?", "legal"),
    ("Bom dia! Como foi seu fim de semana?", "general"),
    ("What a lovely sunset today", "general"),
]


@pytest.mark.parametrize(("text", "expected"), MESSAGES)
def test_classifies_portuguese_and_english(text, expected):
    c = domains.classify(text)
    assert c.domain == expected
    # The chat and the dataset store agree (one keyword source, one tagger).
    assert tag_domain([{"role": "user", "content": text}]) == expected


def test_explanation_names_the_deciding_keywords():
    c = domains.classify("Meu código Python dá erro")
    assert c.keywords["technical"] == ["código", "erro", "python"]
    assert c.explain() == "keywords código, erro, python"
    assert domains.classify("Bom dia").explain() == "no keyword or example matched"


def test_own_domain_with_examples_wins_by_nearest_example():
    domains.set_domain("cooking", keywords=["receita"], examples=["Como faço um bolo de cenoura?"])
    c = domains.classify("quero fazer um bolo de chocolate")  # no keyword, only the example
    assert c.domain == "cooking"
    assert c.nearest["cooking"][0] == "Como faço um bolo de cenoura?"
    assert "nearest example" in c.explain()
    # The new keywords tag imported datasets too.
    assert tag_domain([{"role": "user", "content": "uma receita boa"}], domains.load_domains()) == "cooking"
    assert [d.name for d in domains.list_domains()][-1] == "cooking"
    domains.set_domain("cooking", remove=True)
    assert "cooking" not in domains.domain_names()


def test_an_example_breaks_a_keyword_tie():
    domains.set_domain("support", examples=["My code stopped after the update, please help"])
    c = domains.classify("help, my code crashes")  # one support keyword (help), one technical (code)
    assert c.domain == "support" and c.nearest["support"][1] >= domains.MIN_SIMILARITY


def test_files_are_versioned_json(aeon_home):
    domains.set_domain("general", examples=["Olá, tudo bem?"])
    data = json.loads((aeon_home / "domains.json").read_text(encoding="utf-8"))
    assert data == {"version": 1, "examples": {"general": ["Olá, tudo bem?"]}}
    (aeon_home / "domains.json").write_text('{"version": 9, "examples": {}}', encoding="utf-8")
    with pytest.raises(ValidationError, match="newer Aeon Studio"):
        domains.list_domains()


def test_bad_input_is_refused_with_a_reason():
    with pytest.raises(NotFoundError, match="No domain called 'cooking'.*\n.*technical, support, legal, general"):
        domains.get_domain("cooking")
    with pytest.raises(ValidationError, match="not a valid domain name"):
        domains.set_domain("Bad Name", keywords=["x"])
    with pytest.raises(ValidationError, match="built-in domain"):
        domains.set_domain("legal", remove=True)
    with pytest.raises(ValidationError, match="no keywords"):
        domains.set_domain("general", keywords=["oi"])
    with pytest.raises(ValidationError, match="needs keywords or examples"):
        domains.set_domain("empty", keywords=[], examples=[])
    with pytest.raises(ValidationError, match="no text"):
        domains.classify("   ")
    assert "empty" not in domains.domain_names()  # nothing half-stored


def test_classification_is_fast():
    domains.set_domain("general", examples=[f"exemplo de conversa número {i}" for i in range(50)])
    c = domains.classifier()
    c.classify("aquecimento")
    t0 = time.perf_counter()
    for i in range(200):
        c.classify(f"Meu servidor Linux dá erro {i} quando instalo o pacote, preciso de ajuda")
    assert (time.perf_counter() - t0) / 200 < 0.005
