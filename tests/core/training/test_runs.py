"""Creating a run: a dataset the chosen method cannot train on fails before anything is stored, with a reason."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aeon_studio.core.datasets import import_files
from aeon_studio.core.settings import get_settings
from aeon_studio.core.training.data import TrainingError
from aeon_studio.core.training.runs import create_run


@pytest.mark.parametrize("method", ["dpo", "orpo"])
def test_pair_method_on_a_dataset_of_examples_says_it_has_no_pairs(tmp_path: Path, method: str) -> None:
    src = tmp_path / "tiny.jsonl"
    src.write_text("".join(json.dumps({"messages": [{"role": "user", "content": f"{i}+1?"},
                                                    {"role": "assistant", "content": f"{i + 1}."}]}) + "\n"
                           for i in range(4)), encoding="utf-8")
    import_files("tiny", [src])
    with pytest.raises(TrainingError) as err:
        create_run("tiny", method=method)
    # not "has no examples": it has four, just no chosen/rejected pairs; the way out is SFT or adding pairs
    assert "no preference pairs" in str(err.value) and method.upper() in str(err.value)
    assert "--method sft" in err.value.hint and "from-chats" in err.value.hint
    runs = get_settings().runs_dir
    assert not runs.exists() or not any(runs.iterdir())  # nothing half-stored
