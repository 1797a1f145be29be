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
