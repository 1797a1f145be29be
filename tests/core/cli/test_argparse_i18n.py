"""argparse's own words follow the user's language: no "usage:"/"options" around Portuguese help."""

from __future__ import annotations

import pytest

from aeon_studio.core import i18n
from aeon_studio.core.cli.main import main


def _run(argv: list[str], capsys) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    out = capsys.readouterr()
    return exc.value.code, out.out + out.err


def test_help_and_usage_errors_are_portuguese_in_pt_br(capsys):
    i18n.set_language("pt_BR")
    try:
        code, text = _run(["adapters", "import", "--help"], capsys)
        assert code == 0 and "uso: aeon-studio adapters import" in text and "argumentos posicionais:" in text
        assert "opções:" in text and "mostra esta ajuda e sai" in text and "show this help" not in text
        code, text = _run(["train", "--processes", "abc", "--dataset", "x"], capsys)
        assert code == 2 and "erro: argumento --processes: valor inválido para int: 'abc'" in text
        code, text = _run(["train"], capsys)
        assert code == 2 and "estes argumentos são obrigatórios: --dataset" in text
    finally:
        i18n.set_language(None)
    code, text = _run(["train"], capsys)  # English stays argparse's own
    assert code == 2 and "usage: " in text and "the following arguments are required: --dataset" in text
