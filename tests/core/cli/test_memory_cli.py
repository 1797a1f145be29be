"""``aeon-studio memory``: add, search, list, import, forget, rebuild, status."""

from __future__ import annotations

import json

import pytest

from aeon_studio.core.cli.main import main
from aeon_studio.core.memory.embedder import Embedder

pytestmark = pytest.mark.model


def run_cli(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_memory_cli_round_trip(capsys, tmp_path):
    code, out, _ = run_cli(capsys, "memory", "add", "The garage door code is 4321")
    assert code == 0 and "memory 1" in out
    code, out, _ = run_cli(capsys, "memory", "add", "My favourite band is Los Hermanos", "--json")
    assert code == 0 and json.loads(out)["id"] == 2

    code, out, _ = run_cli(capsys, "memory", "search", "what opens the garage?", "--json", "-k", "1")
    hits = json.loads(out)
    assert code == 0 and [h["id"] for h in hits] == [1] and 0 < hits[0]["score"] <= 1
    code, out, _ = run_cli(capsys, "memory", "search", "which music do I like?")
    assert code == 0 and "Los Hermanos" in out.splitlines()[1]

    doc = tmp_path / "trip.txt"
    doc.write_text("The hotel in Porto is booked for the 12th of May.", encoding="utf-8")
    code, out, err = run_cli(capsys, "memory", "import", str(doc), str(tmp_path / "nope.md"))
    assert code == 1 and "Imported 1 file: 1 passage;" in out and "nope.md: file not found" in err

    code, out, _ = run_cli(capsys, "memory", "list", "--json")
    assert [i["kind"] for i in json.loads(out)] == ["passage", "fact", "fact"]
    code, out, _ = run_cli(capsys, "memory", "status", "--json")
    status = json.loads(out)
    dim = Embedder().dim
    assert status["items"] == status["indexed"] == 3 and status["dim"] == dim

    code, out, _ = run_cli(capsys, "memory", "forget", "1")
    assert code == 0 and "Forgot memory 1" in out
    code, _, err = run_cli(capsys, "memory", "forget", "1")
    assert code == 2 and "error: No memory with id 1" in err
    code, _, err = run_cli(capsys, "memory", "forget")
    assert code == 2 and "Nothing to forget" in err
    code, out, _ = run_cli(capsys, "memory", "search", "garage door code", "--json")
    assert all(h["id"] != 1 for h in json.loads(out))

    code, out, _ = run_cli(capsys, "memory", "forget", "--about", "Porto hotel", "--dry-run")
    assert code == 0 and "1 memory item would be forgotten" in out
    code, out, _ = run_cli(capsys, "memory", "rebuild")
    assert code == 0 and "Index rebuilt: 2 items, model" in out and f"({Embedder().dim} dimensions)" in out
    code, out, _ = run_cli(capsys, "memory", "status")
    assert "Items: 2" in out and "Indexed: 2" in out
    code, _, err = run_cli(capsys, "memory", "add", "  ")
    assert code == 2 and "empty" in err


def test_chat_once_json_reports_saved_and_recalled_memories(capsys):
    from aeon_studio.core.personas import PersonaStore

    PersonaStore().update("tecnico", max_tokens=24)
    code, out, _ = run_cli(capsys, "chat", "--once", "Remember that my dog is called Bolinha.", "--persona",
                           "tecnico", "--seed", "1", "--json")
    saved = json.loads(out)["memory_saved"]
    assert code == 0 and [s["text"] for s in saved] == ["My dog is called Bolinha."]
    code, out, _ = run_cli(capsys, "chat", "--once", "What is my dog's name?", "--persona", "tecnico", "--seed", "1",
                           "--json")
    reply = json.loads(out)
    assert code == 0 and [s["id"] for s in reply["memory_sources"]] == [saved[0]["id"]]
    assert reply["memory_saved"] == []
