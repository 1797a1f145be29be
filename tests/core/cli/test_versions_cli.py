"""``aeon-studio golden …`` and ``aeon-studio adapters list|activate|deactivate|history|rollback|promote|delete``."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from aeon_studio.core.cli.main import main
from aeon_studio.core.export.demo import random_peft_lora
from aeon_studio.core.personas import PersonaStore
from aeon_studio.core.settings import get_settings
from aeon_studio.core.storage import get_database
from aeon_studio.core.storage.evaluation_tables import EvaluationRow
from aeon_studio.core.storage.training_tables import AdapterRow


def run_cli(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_golden_add_list_remove(capsys):
    code, out, _ = run_cli(capsys, "golden", "add", "Quem é você?", "--persona", "casual", "--must", "Aeon",
                           "--must-not", "SmolLM", "--json")
    assert code == 0
    added = json.loads(out)
    assert (added["prompt"], added["must"], added["must_not"], added["regex"]) == ("Quem é você?", ["Aeon"],
                                                                                  ["SmolLM"], False)
    assert run_cli(capsys, "golden", "add", "Who are you?", "--persona", "formal", "--must", "aeon")[0] == 0
    code, out, _ = run_cli(capsys, "golden", "list")
    assert code == 0 and "Quem é você?" in out and "SmolLM" in out and "formal" in out
    code, out, _ = run_cli(capsys, "golden", "list", "--persona", "casual", "--json")
    assert [g["id"] for g in json.loads(out)] == [added["id"]]
    code, out, _ = run_cli(capsys, "golden", "remove", str(added["id"]))
    assert code == 0 and "Quem é você?" in out
    code, _, err = run_cli(capsys, "golden", "remove", str(added["id"]))
    assert code == 2 and "golden list" in err


def test_golden_add_refuses_a_bad_regex_and_stores_nothing(capsys):
    code, out, err = run_cli(capsys, "golden", "add", "Who?", "--persona", "casual", "--must", "Aeon(",
                             "--regex")
    assert code == 2 and "Aeon(" in err and "--regex" in err and out == ""
    code, out, _ = run_cli(capsys, "golden", "list", "--json")
    assert json.loads(out) == []
    code, _, err = run_cli(capsys, "golden", "add", "Who?", "--persona", "casual")
    assert code == 2 and "--must" in err


def _versions(smollm2_path) -> None:
    db = get_database()
    with db.session() as s:
        s.add(EvaluationRow(id=3, persona_key="casual", candidate="casual-v2", against="casual-v1",
                            report={"candidate": {"perplexity": 9.7, "golden_passed": 6, "golden_total": 6,
                                                  "replies": {"g1": "I am Aeon."}}}))
    t0 = datetime(2026, 11, 1, tzinfo=timezone.utc)
    for n, (aid, parent, status, verdict) in enumerate([
            ("casual-v1", None, "ready", {"promoted": True, "reasons": [], "by": "gate"}),
            ("casual-v2", "casual-v1", "not-promoted",
             {"promoted": False, "reasons": ["golden 6/6 → 4/6"], "by": "gate"})]):
        folder = random_peft_lora(get_settings().runs_dir / f"run-{n}" / "adapter", smollm2_path, r=2, seed=n)
        with db.session() as s:
            s.add(AdapterRow(id=aid, name=aid, base_model_id="smollm2-135m-instruct", path=str(folder),
                             persona_key="casual", parent_id=parent, status=status, verdict=verdict,
                             evaluation_id=3 if n else None, created_at=t0 + timedelta(hours=n)))


def test_adapters_history_promote_rollback_delete(capsys, smollm2_path):
    _versions(smollm2_path)
    assert run_cli(capsys, "adapters", "activate", "casual-v1", "--persona", "casual")[0] == 0
    code, out, _ = run_cli(capsys, "adapters", "history", "casual", "--json")
    history = json.loads(out)
    assert code == 0 and [(v["id"], v["active"], v["parent"]) for v in history] == [
        ("casual-v2", False, "casual-v1"), ("casual-v1", True, None)]
    assert history[0]["evaluation"] == {"perplexity": 9.7, "golden_passed": 6, "golden_total": 6}  # no replies
    assert history[0]["verdict"]["reasons"] == ["golden 6/6 → 4/6"]
    code, out, _ = run_cli(capsys, "adapters", "history", "casual")
    assert code == 0 and "kept the previous one" in out and "golden 6/6" in out and "ppl 9.7" in out

    code, out, _ = run_cli(capsys, "adapters", "promote", "casual-v2")
    assert code == 0 and "casual-v2" in out and PersonaStore().get("casual").adapter_id == "casual-v2"
    assert "promoted by hand" in run_cli(capsys, "adapters", "history", "casual")[1]
    code, out, _ = run_cli(capsys, "adapters", "rollback", "casual")
    assert code == 0 and "casual-v1" in out and PersonaStore().get("casual").adapter_id == "casual-v1"
    code, out, _ = run_cli(capsys, "adapters", "rollback", "casual", "--to", "base")
    assert code == 0 and "base model" in out and PersonaStore().get("casual").adapter_id is None
    code, _, err = run_cli(capsys, "adapters", "rollback", "casual", "--to", "nope")
    assert code == 2 and "nope" in err

    code, out, _ = run_cli(capsys, "adapters", "delete", "casual-v2")
    assert code == 0 and "casual-v2" in out
    code, out, _ = run_cli(capsys, "adapters", "list", "--json")
    assert [a["id"] for a in json.loads(out)] == ["casual-v1"]
    code, out, _ = run_cli(capsys, "adapters", "history", "formal")
    assert code == 0 and "no adapter versions" in out


def test_adapters_delete_refuses_the_active_one(capsys, smollm2_path):
    _versions(smollm2_path)
    run_cli(capsys, "adapters", "activate", "casual-v1", "--persona", "casual")
    code, _, err = run_cli(capsys, "adapters", "delete", "casual-v1")
    assert code == 2 and "in use by casual" in err and "rollback" in err
    assert run_cli(capsys, "adapters", "deactivate", "--persona", "casual")[0] == 0
    assert run_cli(capsys, "adapters", "delete", "casual-v1")[0] == 0
