"""``{{placeholders}}`` of identity templates: found, shown in the preview, filled from values, warned about."""

from __future__ import annotations

import json

import pytest

from aeon_studio.core.datasets import DatasetError, DatasetStore
from aeon_studio.core.datasets.importers import import_files, preview_file
from aeon_studio.core.datasets.placeholders import (fill_messages, fill_text, parse_assignments, placeholders_in,
                                                    unfilled_warning)

IDENTITY = [
    {"instruction": "Quem é você?", "output": "Eu sou {{name}}, um assistente criado por {{author}}."},
    {"instruction": "What is your name?", "output": "My name is {{ name }}."},
    {"instruction": "Quem te criou?", "output": "Fui criado por {{author}}."},
    {"instruction": "Escreva JSON", "output": "Use {\"a\": 1} e {x}: chaves simples não são marcadores."},
]


def _identity(tmp_path):
    src = tmp_path / "identity.json"
    src.write_text(json.dumps(IDENTITY, ensure_ascii=False, indent=2), encoding="utf-8")
    return src


def test_find_and_fill():
    text = "Eu sou {{name}} ({{ name }}), feito por {{author}}; {x} e {{1x}} não são marcadores."
    assert placeholders_in(text) == ["name", "author"]
    assert fill_text(text, {"name": "Aeon"}) == ("Eu sou Aeon (Aeon), feito por {{author}}; {x} e {{1x}} não são "
                                                 "marcadores.")
    msgs = [{"role": "user", "content": "oi"}, {"role": "assistant", "content": "Sou {{name}}."}]
    filled = fill_messages(msgs, {"name": "Aeon"})
    assert filled[0] is msgs[0] and filled[1]["content"] == "Sou Aeon." and msgs[1]["content"] == "Sou {{name}}."
    assert parse_assignments(["name=Aeon", "{{author}}=Ana Souza", "empty="]) == {
        "name": "Aeon", "author": "Ana Souza", "empty": ""}
    for bad in (["name"], ["=x"], ["two words=x"]):
        with pytest.raises(DatasetError, match="Bad placeholder value"):
            parse_assignments(bad)
    assert "--set name=…" in unfilled_warning({"name": 2}, 2)


def test_preview_lists_placeholders_and_fills_them(tmp_path):
    src = _identity(tmp_path)
    pv = preview_file(src)
    assert pv.placeholders == ["name", "author"] and pv.unfilled == ["name", "author"]
    pv = preview_file(src, values={"name": "Aeon", "author": ""})
    assert pv.unfilled == ["author"]
    assert pv.records[0].messages[-1]["content"] == "Eu sou Aeon, um assistente criado por {{author}}."


def test_import_fills_values_and_warns_about_the_rest(tmp_path):
    src = _identity(tmp_path)
    res = import_files("identidade", [src], values={"name": "Aeon"})
    assert res.imported == 4 and res.filled == 2
    assert res.placeholders == {"author": 2} and res.unfilled == 2
    warning = next(w for w in res.warnings if "{{author}}" in w)
    assert "trained on literally" in warning and "--set author=" in warning
    texts = json.dumps(DatasetStore().examples("identidade"), ensure_ascii=False)
    assert "{{name}}" not in texts and "{{ name }}" not in texts and "Aeon" in texts
    res = import_files("completa", [src], values={"name": "Aeon", "author": "Ana"})
    assert res.unfilled == 0 and not any("{{" in w for w in res.warnings)
    assert "{{" not in json.dumps(DatasetStore().examples("completa"), ensure_ascii=False)


def test_retrain_plan_warns_about_unfilled_placeholders(tmp_path):
    from aeon_studio.core.storage import get_database
    from aeon_studio.core.training.retrain import plan_retrain

    import_files("modelo", [_identity(tmp_path)])
    plan = plan_retrain(None, get_database(), datasets=["modelo"])
    assert plan.unfilled_placeholders() == {"name": 2, "author": 2}
    warning = next(w for w in plan.warnings() if "{{" in w)
    assert warning.startswith("3 examples still hold the placeholders {{name}}, {{author}}")
    import_files("preenchido", [_identity(tmp_path)], values={"name": "Aeon", "author": "Ana"})
    plan = plan_retrain(None, get_database(), datasets=["preenchido"])
    assert not plan.unfilled_placeholders() and not any("{{" in w for w in plan.warnings())
