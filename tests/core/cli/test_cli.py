"""The headless CLI behaves as the README and issue #2 say."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from aeon_studio.core.cli.main import build_parser, main


def run_cli(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def _all_command_paths(parser, prefix=()):
    for action in parser._actions:
        if action.__class__.__name__ == "_SubParsersAction":
            for name, sub in action.choices.items():
                yield prefix + (name,)
                yield from _all_command_paths(sub, prefix + (name,))


def test_help_on_every_command():
    paths = list(_all_command_paths(build_parser()))
    assert ("chat",) in paths and ("personas", "add") in paths
    for path in paths:
        out = subprocess.run([sys.executable, "-m", "aeon_studio", *path, "--help"], capture_output=True, text=True)
        assert out.returncode == 0, (path, out.stderr)
        assert "usage:" in out.stdout


@pytest.mark.model
def test_chat_once_json_rate_survey_stats(capsys):
    code, out, _ = run_cli(capsys, "chat", "--once", "What is the capital of France?", "--persona", "tecnico",
                           "--json", "--seed", "1")
    assert code == 0
    data = json.loads(out)
    assert {"conversation_id", "message_id", "reply"} <= data.keys()
    assert "Paris" in data["reply"]

    code, _, err = run_cli(capsys, "rate", str(data["message_id"]), "--likert", "6")
    assert code == 2 and "1 to 5" in err
    code, out, _ = run_cli(capsys, "rate", str(data["message_id"]), "--likert", "4")
    assert code == 0
    code, _, err = run_cli(capsys, "survey", "--usability", "6", "--nps", "11")
    assert code == 2 and "0 to 10" in err
    code, out, _ = run_cli(capsys, "survey", "--usability", "6", "--nps", "9")
    assert code == 0

    code, out, _ = run_cli(capsys, "stats", "--json")
    stats = json.loads(out)
    assert stats["messages"] == 2 and stats["rated"] == 1 and stats["likert_avg"] == 4.0
    assert stats["usability_avg"] == 6.0 and stats["nps"] == 100.0  # the rejected survey stored nothing


def test_empty_message_is_not_sent(capsys):
    code, _, err = run_cli(capsys, "chat", "--once", "  ")
    assert code == 2 and "empty" in err
    code, out, _ = run_cli(capsys, "stats", "--json")
    assert json.loads(out)["messages"] == 0


@pytest.mark.model
def test_interactive_chat_asks_for_a_rating(aeon_home):
    env = {**__import__("os").environ, "AEON_STUDIO_HOME": str(aeon_home)}
    proc = subprocess.run([sys.executable, "-m", "aeon_studio", "chat", "--persona", "tecnico", "--seed", "1"],
                          input="What is the capital of France?\n9\n5\n/quit\n", capture_output=True, text=True,
                          env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "Rate the reply (1-5, Enter to skip):" in proc.stdout
    assert "1 to 5" in proc.stderr  # 9 refused, then 5 accepted
    out = subprocess.run([sys.executable, "-m", "aeon_studio", "stats", "--json"], capture_output=True, text=True,
                         env=env)
    assert json.loads(out.stdout)["likert_avg"] == 5.0


def test_personas_and_models_commands(capsys, tmp_path):
    code, out, _ = run_cli(capsys, "personas", "add", "suporte", "--name", "Suporte", "--temperature", "0.5")
    assert code == 0
    code, out, _ = run_cli(capsys, "personas", "edit", "suporte", "--max-tokens", "200")
    code, out, _ = run_cli(capsys, "personas", "list", "--json")
    suporte = next(p for p in json.loads(out) if p["key"] == "suporte")
    assert (suporte["temperature"], suporte["max_tokens"]) == (0.5, 200)
    code, _, err = run_cli(capsys, "personas", "edit", "casual", "--temperature", "3")
    assert code == 2 and "temperature" in err
    code, _, err = run_cli(capsys, "personas", "remove", "formal")
    assert code == 2 and "built-in" in err
    assert run_cli(capsys, "personas", "remove", "suporte")[0] == 0

    bad = tmp_path / "notes.txt"
    bad.write_text("hello")
    code, _, err = run_cli(capsys, "models", "add", str(bad))
    assert code == 2 and "notes.txt" in err and "not a GGUF" in err
    code, out, _ = run_cli(capsys, "models", "list", "--json")
    assert [m["id"] for m in json.loads(out)] == ["smollm2-135m-instruct", "gemma3-270m"]
