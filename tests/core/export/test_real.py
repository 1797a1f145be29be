"""The acceptance checks on the real SmolLM2 with a really trained identity LoRA (trained once per session):
transformers and llama.cpp agree, the adapter answers in chat and can be switched off without a restart,
the merged Q4_K_M export passes its checks, and a broken export is deleted with the reason."""

from __future__ import annotations

import json

import pytest

from aeon_studio.core.export import ExportCheckError
from aeon_studio.core.export.gguf_io import partial_name, quick_read, raw_kv_writer
from aeon_studio.core.export.lora_gguf import convert_lora
from aeon_studio.core.storage.training_tables import AdapterRow
from tests.support.export_models import AGREEMENT_PROMPTS, IDENTITY_PROMPTS, smollm2_adapter

pytestmark = [pytest.mark.slow, pytest.mark.model]
FIRST_TOKENS = 4


@pytest.fixture(scope="session")
def trained(tmp_path_factory):
    return smollm2_adapter(tmp_path_factory.mktemp("adapter"))


@pytest.fixture()
def registered(trained):
    from aeon_studio.core.storage import get_database

    with get_database().session() as s:
        s.add(AdapterRow(id="quillon", name="Quillon identity", base_model_id="smollm2-135m-instruct",
                         path=str(trained.adapter_dir), metrics={"train_loss": trained.losses[-1]}))
    return "quillon"


def _cpp_greedy(llm, ids: list[int], n: int) -> list[int]:
    llm.reset()
    out: list[int] = []
    for tok in llm.generate(ids, temp=0.0, top_k=1, repeat_penalty=1.0):
        out.append(tok)
        if len(out) >= n or tok == llm.token_eos():
            break
    return out


def test_transformers_and_llamacpp_agree(trained, tmp_path, record_property):
    from llama_cpp import Llama

    assert trained.losses[-1] < 0.2 < trained.losses[0]
    res = convert_lora(trained.adapter_dir, trained.base_gguf, tmp_path / "q.gguf")
    assert 0.5e6 < res.size < 2e6 and res.n_tensors == 120
    llm = Llama(str(trained.base_gguf), lora_path=str(res.path), n_ctx=512, n_threads=2, verbose=False)
    agree, prefixes = 0, []
    try:
        for prompt in AGREEMENT_PROMPTS:
            hf = trained.hf_greedy(prompt, FIRST_TOKENS)
            cpp = _cpp_greedy(llm, trained.prompt_ids[prompt], FIRST_TOKENS)
            prefix = next((i for i, (a, b) in enumerate(zip(hf, cpp)) if a != b), min(len(hf), len(cpp)))
            prefixes.append(prefix)
            agree += hf[:FIRST_TOKENS] == cpp[:FIRST_TOKENS]
        identity = [llm.detokenize(_cpp_greedy(llm, trained.prompt_ids[p], 16)).decode() for p in IDENTITY_PROMPTS]
    finally:
        llm.close()
    record_property("agreement", f"{agree}/{len(AGREEMENT_PROMPTS)} prompts, prefixes {prefixes}")
    assert agree >= (len(AGREEMENT_PROMPTS) * 5 + 7) // 8, prefixes  # most prompts: at least 5 of 8
    assert all("Quillon" in text for text in identity), identity


def test_chat_uses_the_bound_adapter_and_switches_without_restart(registered):
    from aeon_studio.core.export.adapters import activate, deactivate, get_adapter
    from aeon_studio.core.services import build_chat_service

    service = build_chat_service()
    conv = service.new_conversation("casual").id
    before = service.send(conv, "Who are you?", seed=1)
    before.run()
    assert before.message.adapter_id is None and "Quillon" not in before.text
    activate(registered, "casual")
    assert get_adapter(registered).gguf_ready
    reply = service.send(conv, "What is your name?", seed=1)
    assert "Quillon" in reply.run()
    assert service.store.get_message(reply.message.id).adapter_id == registered
    deactivate("casual")
    after = service.send(conv, "Who are you?", seed=1)
    after.run()
    assert after.message.adapter_id is None and "Quillon" not in after.text


def test_merged_q4_k_m_export_passes_its_checks(registered, capsys):
    from aeon_studio.core.cli.main import main
    from aeon_studio.core.export.service import list_exports

    assert main(["export", "gguf", registered, "--merge", "--quant", "Q4_K_M", "--json"]) == 0
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert out["checks"]["ok"] and out["kind"] == "merged" and 80e6 < out["size"] < 130e6
    assert {c["check"] for c in out["checks"]["checks"]} == {"loads", "template", "eos", "stops", "repeats", "answers"}
    assert all("Quillon" in out["checks"]["answers"][p] for p in ("Who are you?", "What is your name?"))
    rows = list_exports()
    assert [r.kind for r in rows] == ["merged"] and rows[0].quant == "Q4_K_M"
    folder = rows[0].path.rsplit("/", 1)[0]
    from pathlib import Path

    assert sorted(p.name for p in Path(folder).iterdir()) == ["quillon.Q4_K_M.gguf"]  # no partial/F16 left


def test_export_without_chat_template_is_deleted_with_the_reason(trained, tmp_path):
    from aeon_studio.core.export.verify import verify_export

    base = quick_read(trained.base_gguf)
    bad = tmp_path / "no-template.gguf"
    w = raw_kv_writer(bad, "llama", base.raw_kv(skip_prefixes=("general.architecture", "tokenizer.chat_template")))
    for name in base.tensors:
        raw, qtype = base.tensor_raw(name)
        w.add_tensor(name, raw, raw_shape=raw.shape, raw_dtype=qtype)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    with pytest.raises(ExportCheckError) as err:
        verify_export(bad, kind="merged", base_gguf=trained.base_gguf, prompts=IDENTITY_PROMPTS[:1])
    assert "chat template" in str(err.value) and "deleted" in str(err.value)
    assert not bad.exists() and not partial_name(bad).exists()


def test_trained_adapter_passes_the_checks_that_decide_whether_it_is_offered(trained, tmp_path):
    """The same checks run by the worker after training: the real identity adapter loads, stops, changes the
    answers and does not loop; the LoRA GGUF it leaves is what the chat then uses."""
    from aeon_studio.core.export.verify import check_adapter
    from aeon_studio.core.models import smollm2_path

    out = tmp_path / "checked.lora-f16.gguf"
    report = check_adapter(trained.adapter_dir, smollm2_path(), out, prompts=["Who are you?", "What is 2 + 2?"])
    assert report.ok, report.failures()
    assert {c.key for c in report.checks} >= {"loads", "stops", "effect", "repeats"} and out.is_file()
    # a folder that is not an adapter fails with the reason, and leaves no file
    broken = check_adapter(tmp_path, smollm2_path(), tmp_path / "x.gguf")
    assert not broken.ok and broken.checks[0].key == "loads" and not (tmp_path / "x.gguf").exists()
