"""The TRL path: what SFTTrainer trains on is the assistant-only label mask of data.encode_chat, multi-turn too."""

from __future__ import annotations

from pathlib import Path

import pytest

from aeon_studio.core.training.spec import make_spec
from aeon_studio.core.training.trl_sft import encode_rows, latest_checkpoint, sft_config
from tests.core.training.test_worker import tiny_base  # noqa: F401 - session fixture

MULTI = {"messages": [
    {"role": "system", "content": "Você é Aeon."},
    {"role": "user", "content": "Qual a capital da Itália?"},
    {"role": "assistant", "content": "Paris, acho.", "weight": 0},  # kept as context: never a target
    {"role": "user", "content": "Tem certeza?"},
    {"role": "assistant", "content": "Desculpe: a capital da Itália é Roma."},
    {"role": "user", "content": "E da França?"},
    {"role": "assistant", "content": "A capital da França é Paris."},
]}
BAD = {"messages": [{"role": "user", "content": "Oi"}, {"role": "assistant", "content": "Resposta ruim."}],
       "label": False}


def _learned_spans(tok, labels: list[int]) -> list[str]:
    spans, cur = [], []
    for t in labels + [-100]:
        if t != -100:
            cur.append(t)
        elif cur:
            spans.append(tok.decode(cur))
            cur = []
    return spans


def test_trainer_trains_on_the_assistant_turns_of_a_multi_turn_example_only(tmp_path, tiny_base):  # noqa: F811
    from datasets import Dataset
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from trl import SFTTrainer

    tok = AutoTokenizer.from_pretrained(str(tiny_base))
    data = encode_rows(tok, [MULTI, BAD], 512)
    assert len(data) == 1  # the undesirable example is never an SFT target
    spec = make_spec(run_dir=str(tmp_path / "run"), dataset_path="x.jsonl", base=str(tiny_base), max_steps=1)
    model = get_peft_model(AutoModelForCausalLM.from_pretrained(str(tiny_base)),
                           LoraConfig(r=2, target_modules=["q_proj"], task_type="CAUSAL_LM"))
    trainer = SFTTrainer(model=model, processing_class=tok, train_dataset=Dataset.from_list(data),
                         args=sft_config(spec, total=1, steps_per_epoch=1, has_eval=False))
    fed = trainer.train_dataset[0]
    assert fed["input_ids"] == data[0]["input_ids"]
    assert fed["labels"] == data[0]["labels"]  # TRL used our labels as they are
    spans = _learned_spans(tok, fed["labels"])
    assert len(spans) == 2, spans
    assert spans[0].startswith("Desculpe: a capital da Itália é Roma.")
    assert spans[1].startswith("A capital da França é Paris.")
    learned = "".join(spans)
    for not_learned in ("Paris, acho", "Qual a capital", "Tem certeza", "E da França", "Você é Aeon"):
        assert not_learned not in learned
    # the collator keeps the mask: one batch, the same -100s
    batch = trainer.data_collator([fed])
    assert batch["labels"][0].tolist() == fed["labels"]
    assert not trainer.args.bf16 and not trainer.args.activation_checkpointing  # fp32 on CPU, no recomputation


def test_latest_checkpoint_skips_a_half_written_one(tmp_path):
    assert latest_checkpoint(tmp_path) is None
    for n, complete in ((5, True), (10, True), (15, False)):
        folder = tmp_path / "checkpoints" / f"checkpoint-{n}"
        folder.mkdir(parents=True)
        if complete:
            (folder / "trainer_state.json").write_text("{}")
    assert latest_checkpoint(tmp_path) == Path(tmp_path / "checkpoints" / "checkpoint-10")


class _FakeFastLanguageModel:
    """Unsloth's loader on CPU: the model in fp32 instead of 4-bit, LoRA through PEFT; records what it was asked."""

    calls: list[tuple[str, dict]] = []

    @classmethod
    def from_pretrained(cls, **kw):
        from transformers import AutoModelForCausalLM, AutoTokenizer

        cls.calls.append(("from_pretrained", kw))
        tok = AutoTokenizer.from_pretrained(kw["model_name"])
        tok.pad_token = None  # the backend must set one
        return AutoModelForCausalLM.from_pretrained(kw["model_name"]), tok

    @classmethod
    def get_peft_model(cls, model, **kw):
        from peft import LoraConfig, get_peft_model

        cls.calls.append(("get_peft_model", kw))
        return get_peft_model(model, LoraConfig(r=kw["r"], lora_alpha=kw["lora_alpha"],
                                                target_modules=kw["target_modules"], task_type="CAUSAL_LM"))


def test_unsloth_backend_loads_through_unsloth_and_trains_on_the_same_trl_path(tmp_path, tiny_base,  # noqa: F811
                                                                               monkeypatch):
    import sys
    import types

    from aeon_studio.core.training import trl_sft
    from aeon_studio.core.training.backends import unsloth_backend
    from tests.core.training.test_worker import IDENTITY

    spec = make_spec(run_dir=str(tmp_path / "run"), dataset_path="x.jsonl", base=str(tiny_base), max_steps=2,
                     batch_size=4, save_every=100)
    with pytest.raises(NotImplementedError, match="--backend peft"):  # no CUDA here
        unsloth_backend.train(spec, str(tiny_base), IDENTITY, [], lambda e: None, lambda: False)
    monkeypatch.setitem(sys.modules, "unsloth", types.SimpleNamespace(FastLanguageModel=_FakeFastLanguageModel))
    model, tok = unsloth_backend.load(spec, str(tiny_base))
    (_n1, loaded), (_n2, lora) = _FakeFastLanguageModel.calls
    assert loaded["load_in_4bit"] and loaded["max_seq_length"] == spec.max_seq_len
    assert lora["r"] == spec.rank and lora["target_modules"] == spec.target_modules
    assert tok.pad_token is not None
    events = []
    result = trl_sft.train(spec, model, tok, IDENTITY, [], events.append, lambda: False, backend="unsloth")
    kinds = [e.event for e in events]
    assert kinds == ["start", "step", "step"]
    assert events[0].backend == "unsloth" and events[0].total_steps == 2
    assert all(e.tokens_per_s and e.eta_s is not None for e in events[1:])
    assert (Path(result["adapter"]) / "adapter_config.json").exists()


def test_tensorboard_event_files_go_to_the_run_folder_when_installed(tmp_path, monkeypatch):
    import transformers.integrations as integrations

    from aeon_studio.core.training.trl_sft import trainer_args

    spec = make_spec(run_dir=str(tmp_path / "run"), dataset_path="x.jsonl", base="b", max_steps=1)
    monkeypatch.setattr(integrations, "is_tensorboard_available", lambda: False)
    assert trainer_args(spec, total=1, steps_per_epoch=1, has_eval=False)["report_to"] == []
    monkeypatch.setattr(integrations, "is_tensorboard_available", lambda: True)
    monkeypatch.delenv("TENSORBOARD_LOGGING_DIR", raising=False)
    assert trainer_args(spec, total=1, steps_per_epoch=1, has_eval=False)["report_to"] == ["tensorboard"]
    import os

    assert os.environ["TENSORBOARD_LOGGING_DIR"] == str(tmp_path / "run" / "tensorboard")


def _scalars(event_file: Path) -> dict[str, list[tuple[int, float]]]:
    """The scalars of a TensorBoard event file: its TFRecord frames (length, crc, Event proto, crc) read as they are."""
    import struct

    from tensorboardX.proto.event_pb2 import Event

    data, pos, out = event_file.read_bytes(), 0, {}
    while pos < len(data):
        (n,) = struct.unpack("<Q", data[pos:pos + 8])
        ev = Event.FromString(data[pos + 12:pos + 12 + n])
        pos += 12 + n + 4
        for v in ev.summary.value:
            if v.HasField("simple_value"):
                out.setdefault(v.tag, []).append((ev.step, v.simple_value))
    return out


def test_a_run_writes_tensorboard_event_files_in_its_folder(tmp_path, tiny_base, monkeypatch):  # noqa: F811
    """TensorBoard (through the pinned tensorboardX) reads the run's loss curve from ``<run>/tensorboard``."""
    from peft import get_peft_model
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from aeon_studio.core.training import trl_sft
    from aeon_studio.core.training.backends.peft_backend import lora_config
    from tests.core.training.test_worker import IDENTITY

    monkeypatch.delenv("TENSORBOARD_LOGGING_DIR", raising=False)
    spec = make_spec(run_dir=str(tmp_path / "run"), dataset_path="x.jsonl", base=str(tiny_base), max_steps=3,
                     batch_size=4, save_every=100)
    tok = AutoTokenizer.from_pretrained(str(tiny_base))
    model = get_peft_model(AutoModelForCausalLM.from_pretrained(str(tiny_base)), lora_config(spec))
    trl_sft.train(spec, model, tok, IDENTITY, [], lambda e: None, lambda: False)
    files = list((tmp_path / "run").rglob("events.out.tfevents.*"))
    assert len(files) == 1 and files[0].parent == tmp_path / "run" / "tensorboard"
    losses = _scalars(files[0])["train/loss"]
    assert [step for step, _loss in losses] == [1, 2, 3]
