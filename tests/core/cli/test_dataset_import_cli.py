"""``aeon-studio dataset import``: placeholders (--set, --preview), exit codes of an import that keeps nothing, and
every command quiet on a closed pipe (real subprocess pipes)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from aeon_studio.core.cli.main import EXIT_BROKEN_PIPE, main
from aeon_studio.core.datasets import DatasetStore

ROOT = Path(__file__).resolve().parents[3]


def _cli(*args: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "aeon_studio", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env, cwd=ROOT)


def _big_log(tmp_path: Path) -> Path:
    src = tmp_path / "big.log"
    src.write_text("".join(f"VOCÊ: pergunta {i}\nAEON: resposta {i}\n\n" for i in range(4000)), encoding="utf-8")
    return src


def test_preview_and_json_end_quietly_on_a_closed_pipe(tmp_path):
    src = _big_log(tmp_path)
    for args, take in (([str(src), "--name", "x", "--preview", "-n", "4000"], "line"),
                       ([str(src), "--name", "x", "--preview", "-n", "4000", "--json"], 10)):
        proc = _cli("dataset", "import", *args)
        first = proc.stdout.readline() if take == "line" else proc.stdout.read(take)
        proc.stdout.close()  # like `| head -1` / `| head -c 10`: the reader goes away
        err = proc.stderr.read().decode()
        proc.stderr.close()
        rc = proc.wait(timeout=60)
        assert first and "Traceback" not in err and "BrokenPipe" not in err, err
        assert rc in (0, EXIT_BROKEN_PIPE)
    assert not DatasetStore().exists("x")


def test_help_ends_quietly_on_a_closed_pipe():
    proc = _cli("dataset", "import", "--help")
    proc.stdout.read(5)
    proc.stdout.close()
    err = proc.stderr.read().decode()
    proc.stderr.close()
    assert proc.wait(timeout=60) in (0, EXIT_BROKEN_PIPE) and "Traceback" not in err


def test_import_that_keeps_nothing_creates_nothing_and_fails(tmp_path, capsys):
    src = tmp_path / "respostas.log"
    src.write_text("AEON: uma resposta sem pergunta\n\nAEON: outra\n", encoding="utf-8")
    assert main(["dataset", "import", str(src), "--name", "vazio"]) == 1
    out, err = capsys.readouterr()
    assert "respostas.log:1: turn 1: an assistant turn where a user turn was expected" in out
    assert "nothing was kept: all 2 records were rejected" in err and "no dataset was created" in err
    assert not DatasetStore().exists("vazio")
    assert main(["dataset", "import", str(src), "--name", "vazio", "--json"]) == 1
    assert json.loads(capsys.readouterr().out)["imported"] == 0
    # an existing dataset is left as it was, and the import still says it did nothing
    good = tmp_path / "ok.log"
    good.write_text("VOCÊ: oi\nAEON: olá\n", encoding="utf-8")
    assert main(["dataset", "import", str(good), "--name", "cheio"]) == 0
    assert main(["dataset", "import", str(good), "--name", "cheio"]) == 1
    assert "every record was a duplicate" in capsys.readouterr().err
    assert DatasetStore().stats("cheio")["examples"] == 1


def test_set_fills_placeholders_in_preview_and_import(tmp_path, capsys):
    src = tmp_path / "identity.jsonl"
    src.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in [
        {"pergunta": "Quem é você?", "resposta": "Sou {{name}}, criado por {{author}}."},
        {"pergunta": "Seu nome?", "resposta": "{{name}}."}]) + "\n", encoding="utf-8")
    assert main(["dataset", "import", str(src), "--name", "id", "--preview", "--set", "name=Aeon"]) == 0
    out = capsys.readouterr().out
    assert "Placeholders: {{name}} = 'Aeon', {{author}}" in out
    assert "{{author}} would be trained on literally; fill them with --set author=…" in out
    assert "assistant: Sou Aeon, criado por {{author}}." in out
    assert main(["dataset", "import", str(src), "--name", "id", "--set", "name=Aeon", "--set", "author=Ana"]) == 0
    out = capsys.readouterr().out
    assert "Placeholders {{name}}, {{author}} filled in 2 examples." in out and "literally" not in out
    texts = json.dumps(DatasetStore().examples("id"), ensure_ascii=False)
    assert "Sou Aeon, criado por Ana." in texts and "{{" not in texts
    assert main(["dataset", "import", str(src), "--name", "id2", "--set", "name"]) == 2
    assert "Bad placeholder value 'name'" in capsys.readouterr().err


def test_convert_that_keeps_nothing_fails(tmp_path, capsys):
    src = tmp_path / "quebrado.jsonl"
    src.write_text('{"messages": [{"role": "user", "content": "Olá}]}\n', encoding="utf-8")
    assert main(["dataset", "convert", str(src), "--out", str(tmp_path / "out.jsonl")]) == 1
    out, err = capsys.readouterr()
    assert "quebrado.jsonl:1: invalid JSON at line 1, column 43: a string is not closed" in out
    assert "nothing was kept: its 1 record was rejected" in err and "the output holds no example" in err
