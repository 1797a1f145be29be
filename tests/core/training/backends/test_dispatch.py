"""Both backends only load the model and train through the one TRL path (``core/training/methods.py``): each
method reaches its trainer function, in bf16 only where the GPU supports it. No GPU here: the unsloth backend runs
against a fake ``unsloth`` module and a fake ``torch.cuda``."""

from __future__ import annotations

import sys
import types

import pytest

from aeon_studio.core.training import trl_prefs, trl_sft
from aeon_studio.core.training.spec import make_spec

#: the trainer function each method must reach
TRAINER = {"sft": "trl_sft", "dpo": "trl_prefs", "kto": "trl_prefs", "orpo": "trl_prefs"}


@pytest.fixture
def trainers(monkeypatch) -> list[tuple[str, str, object, dict]]:
    """Replaces both trainer functions by recorders: ``(module, method, model, keyword arguments)`` per call."""
    calls: list[tuple[str, str, object, dict]] = []

    def recorder(name):
        def train(spec, model, tok, rows, eval_rows, emit, should_stop, **kw):
            calls.append((name, spec.method, model, kw))
            return {"adapter": "a", "metrics": {}}
        return train

    monkeypatch.setattr(trl_sft, "train", recorder("trl_sft"))
    monkeypatch.setattr(trl_prefs, "train", recorder("trl_prefs"))
    return calls


class _Tok:
    pad_token = None
    eos_token = "</s>"


class _FastLanguageModel:
    """Unsloth's loader as the backend calls it: a 4-bit base, then LoRA on it."""

    calls: list[tuple[str, dict]] = []

    @classmethod
    def from_pretrained(cls, **kw):
        cls.calls.append(("from_pretrained", kw))
        return "base-4bit", _Tok()

    @classmethod
    def get_peft_model(cls, model, **kw):
        cls.calls.append(("get_peft_model", kw))
        return ("peft", model)


@pytest.mark.parametrize("bf16", [True, False])
@pytest.mark.parametrize("method", ["sft", "dpo", "kto", "orpo"])
def test_the_unsloth_backend_runs_every_method_on_the_same_trl_path(tmp_path, monkeypatch, trainers, method, bf16):
    import torch

    from aeon_studio.core.training.backends import unsloth_backend

    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *a, **k: bf16)
    monkeypatch.setitem(sys.modules, "unsloth", types.SimpleNamespace(FastLanguageModel=_FastLanguageModel))
    monkeypatch.setattr(_FastLanguageModel, "calls", [])
    spec = make_spec(run_dir=str(tmp_path / "run"), dataset_path="x.jsonl", base="b", method=method)
    result = unsloth_backend.train(spec, "base-folder", [{"r": 1}], [], lambda e: None, lambda: False)
    assert result == {"adapter": "a", "metrics": {}}
    [(module, got_method, model, kw)] = trainers
    assert (module, got_method) == (TRAINER[method], method)
    assert model == ("peft", "base-4bit")  # the model Unsloth loaded in 4-bit, with its LoRA
    assert kw == {"backend": "unsloth", "bf16": bf16}
    (_n, loaded), (_n2, lora) = _FastLanguageModel.calls
    assert loaded["load_in_4bit"] and loaded["model_name"] == "base-folder"
    assert lora["r"] == spec.rank and lora["target_modules"] == spec.target_modules


def test_the_unsloth_backend_refuses_to_start_without_cuda(tmp_path, monkeypatch, trainers):
    import torch

    from aeon_studio.core.training.backends import unsloth_backend

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    spec = make_spec(run_dir=str(tmp_path / "run"), dataset_path="x.jsonl", base="b", method="dpo")
    with pytest.raises(NotImplementedError, match="--backend peft"):
        unsloth_backend.train(spec, "base-folder", [], [], lambda e: None, lambda: False)
    assert trainers == []


@pytest.mark.parametrize("cuda_bf16", [(False, False), (True, True), (True, False)])
@pytest.mark.parametrize("method", ["sft", "dpo", "kto", "orpo"])
def test_the_peft_backend_runs_every_method_in_fp32_on_cpu_and_bf16_where_supported(tmp_path, monkeypatch,
                                                                                    trainers, method, cuda_bf16):
    import peft
    import torch

    from aeon_studio.core.training.backends import peft_backend

    cuda, bf16 = cuda_bf16
    monkeypatch.setattr(torch.cuda, "is_available", lambda: cuda)
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *a, **k: bf16)
    monkeypatch.setattr(peft, "get_peft_model", lambda model, config: ("peft", model, config.r))
    spec = make_spec(run_dir=str(tmp_path / "run"), dataset_path="x.jsonl", base="b", method=method)
    peft_backend.train(spec, "base-fp32", None, [{"r": 1}], [], lambda e: None, lambda: False)
    [(module, got_method, model, kw)] = trainers
    assert (module, got_method, model) == (TRAINER[method], method, ("peft", "base-fp32", spec.rank))
    assert kw == {"backend": "peft", "bf16": cuda and bf16}  # never bf16 on CPU
