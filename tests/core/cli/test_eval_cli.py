"""``aeon-studio eval TARGET [--against …] [--persona KEY] [--json]`` on the real SmolLM2."""

from __future__ import annotations

import json

from aeon_studio.core.cli.main import main
from aeon_studio.core.evaluation.golden import add_golden
from aeon_studio.core.storage import get_database
from tests.support.export_models import handmade_peft


def run_cli(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_eval_prints_both_models_side_by_side_and_the_gates_view(capsys, tmp_path, smollm2_path):
    from aeon_studio.core.export.adapters import register_folder

    db = get_database()
    code, _out, err = run_cli(capsys, "eval", "base", "--persona", "casual")
    assert code == 2 and "no golden prompts" in err and "golden add" in err
    adapter = register_folder(handmade_peft(tmp_path / "peft", smollm2_path, std=0.05), name="random").id
    add_golden("casual", "What is the capital of France?", must=["Paris"], db=db)
    code, out, _err = run_cli(capsys, "eval", adapter, "--against", "base", "--persona", "casual", "--json",
                              "--max-tokens", "12")
    assert code == 0
    report = json.loads(out)
    assert (report["candidate"]["model"], report["against"]["model"]) == (adapter, "base")
    assert report["candidate"]["golden_total"] == 1 and report["verdict"]["promoted"] in (True, False)
    assert report["evaluation_id"] and report["persona"] == "casual" and len(report["items"]) == 1
    code, out, _err = run_cli(capsys, "eval", adapter, "--against", "base", "--persona", "casual",
                              "--max-tokens", "12")
    assert code == 0
    header = out.splitlines()[0].split()
    assert header == ["base", adapter]
    assert "golden prompts passed" in out and ("The gate would" in out)
