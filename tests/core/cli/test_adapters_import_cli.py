"""``aeon-studio adapters import PATH``: an adapter trained on another machine, its run folder copied back."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from aeon_studio.core.cli.main import main


def _run_folder(root: Path) -> Path:
    """A run folder as a training on a GPU machine leaves it: ``adapter/`` with a PEFT LoRA on q_proj."""
    from safetensors.numpy import save_file

    adapter = root / "run-20260101-120000" / "adapter"
    adapter.mkdir(parents=True)
    (adapter / "adapter_config.json").write_text(json.dumps({
        "peft_type": "LORA", "r": 2, "lora_alpha": 4, "target_modules": ["q_proj"],
        "base_model_name_or_path": "/home/someone/models/SmolLM2"}))  # a path on the other machine
    key = "base_model.model.model.layers.0.self_attn.q_proj.lora_{}.weight"
    save_file({key.format("A"): np.zeros((2, 576), np.float32), key.format("B"): np.zeros((576, 2), np.float32)},
              str(adapter / "adapter_model.safetensors"))
    return adapter.parent


def test_import_a_run_folder_copied_back(tmp_path, capsys):
    run = _run_folder(tmp_path)
    assert main(["adapters", "import", str(run)]) == 0
    assert "adapters activate run-20260101-120000" in capsys.readouterr().out
    assert main(["adapters", "list", "--json"]) == 0
    (item,) = json.loads(capsys.readouterr().out)
    assert item["id"] == "run-20260101-120000" and item["path"] == str((run / "adapter").resolve())
    assert item["base_model"]  # the default model: the other machine's path means nothing here
    assert main(["adapters", "import", str(run / "adapter")]) == 0  # the same folder again: the same adapter
    capsys.readouterr()
    assert main(["adapters", "list", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 1


def test_import_a_folder_without_an_adapter_says_what_to_give(tmp_path, capsys):
    assert main(["adapters", "import", str(tmp_path)]) != 0
    err = capsys.readouterr().err
    assert "adapter_config.json" in err and str(tmp_path) in err


def test_import_a_mistyped_path_says_it_does_not_exist(tmp_path, capsys):
    missing = tmp_path / "run-copied-bak"
    assert main(["adapters", "import", str(missing)]) != 0
    err = capsys.readouterr().err
    assert f"{missing} does not exist." in err and "Check the path" in err and "has no adapter_config" not in err
