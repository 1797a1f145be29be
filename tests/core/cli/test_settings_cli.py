"""'aeon-studio settings show' explains every described setting in the user's language."""

from __future__ import annotations

from aeon_studio.core import i18n
from aeon_studio.core.cli.main import main
from aeon_studio.core.settings import Settings


def test_settings_show_describes_each_setting_in_portuguese(capsys):
    i18n.set_language("pt_BR")
    try:
        assert main(["settings", "show"]) == 0
    finally:
        i18n.set_language(None)
    out = capsys.readouterr().out
    described = {name: f.description for name, f in Settings.model_fields.items() if f.description}
    assert "memory_top_k" in described and "gate_ppl_tolerance" in described
    for name, english in described.items():  # the memory and gate lines were left in English
        assert english not in out, name
    assert "no máximo quantas memórias são lembradas por turno" in out


def test_a_wrong_value_is_explained_in_portuguese_with_nothing_stored(capsys):
    from aeon_studio.core.settings import get_settings

    i18n.set_language("pt_BR")
    try:
        assert main(["settings", "set", "machine_hourly_price", "abc"]) != 0
        assert main(["settings", "set", "machine_hourly_price", "-1"]) != 0
        assert main(["settings", "set", "memory_top_k", "2.5"]) != 0
    finally:
        i18n.set_language(None)
    err = capsys.readouterr().err
    assert "'abc' não é um valor válido (é preciso um número, como 2.5)" in err
    assert "'-1' não é um valor válido (deve ser 0 ou mais)" in err and "é preciso um número inteiro" in err
    assert "Input should" not in err  # pydantic's English
    assert not get_settings().settings_file.exists()
