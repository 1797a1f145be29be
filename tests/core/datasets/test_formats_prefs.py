"""Preference pairs from public dataset shapes (LLaMA-Factory ShareGPT/Alpaca, TRL explicit and implicit prompt,
OpenAI preference fine-tuning, Anthropic HH transcripts): imported as pairs, exported by ``--format dpo``,
frozen into a DPO run; broken pairs rejected with their reason and their original record."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aeon_studio.core.cli.main import main
from aeon_studio.core.datasets import DatasetStore, convert_file, import_files, preview_file

PROMPT = [{"role": "user", "content": "Qual é a capital do Brasil?"}]
CHOSEN, REJECTED = "Brasília.", "Rio de Janeiro."

#: One record per shape; every one holds the same pair.
SHAPES = {
    "llamafactory_sharegpt": {"conversations": [{"from": "human", "value": PROMPT[0]["content"]}],
                              "chosen": {"from": "gpt", "value": CHOSEN},
                              "rejected": {"from": "gpt", "value": REJECTED}},
    "llamafactory_alpaca": {"instruction": PROMPT[0]["content"], "input": "", "chosen": CHOSEN, "rejected": REJECTED},
    "trl_strings": {"prompt": PROMPT[0]["content"], "chosen": CHOSEN, "rejected": REJECTED},
    "trl_messages": {"prompt": PROMPT, "chosen": [{"role": "assistant", "content": CHOSEN}],
                     "rejected": [{"role": "assistant", "content": REJECTED}]},
    "trl_implicit": {"chosen": PROMPT + [{"role": "assistant", "content": CHOSEN}],
                     "rejected": PROMPT + [{"role": "assistant", "content": REJECTED}]},
    "hh_transcript": {"chosen": f"\n\nHuman: {PROMPT[0]['content']}\n\nAssistant: {CHOSEN}",
                      "rejected": f"\n\nHuman: {PROMPT[0]['content']}\n\nAssistant: {REJECTED}"},
    "openai": {"input": {"messages": PROMPT}, "preferred_output": [{"role": "assistant", "content": CHOSEN}],
               "non_preferred_output": [{"role": "assistant", "content": REJECTED}]},
}


def _write(tmp_path: Path, name: str, rows: list) -> Path:
    p = tmp_path / name
    p.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return p


def _rejects(res) -> list[dict]:
    if res.rejects_path is None:
        return []
    return [json.loads(line) for line in res.rejects_path.read_text(encoding="utf-8").splitlines()]


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_each_shape_imports_as_a_preference_pair(tmp_path, shape):
    src = _write(tmp_path, f"{shape}.jsonl", [SHAPES[shape]])
    res = import_files("prefs", [src])
    assert (res.read, res.imported, res.pairs, res.rejected) == (1, 1, 1, 0), res.problems
    store = DatasetStore()
    assert store.preference_pairs("prefs") == [{"prompt": PROMPT, "chosen": CHOSEN, "rejected": REJECTED}]
    assert store.examples("prefs", split="all") == []  # the chosen reply is not an SFT example on its own
    assert store.stats("prefs")["pairs"] == 1


def test_pairs_with_a_system_prompt_and_a_multi_turn_prompt(tmp_path):
    rows = [
        {"system": "Responda em português.", "conversations": [
            {"from": "human", "value": "Oi"}, {"from": "gpt", "value": "Olá!"}, {"from": "human", "value": "2+2?"}],
         "chosen": {"from": "gpt", "value": "4"}, "rejected": {"from": "gpt", "value": "22"}},
        {"chosen": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"},
                    {"role": "assistant", "content": "Hello!"}, {"role": "user", "content": "Bye"},
                    {"role": "assistant", "content": "Goodbye!"}],
         "rejected": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"},
                      {"role": "assistant", "content": "Hello!"}, {"role": "user", "content": "Bye"},
                      {"role": "assistant", "content": "Whatever."}]},
    ]
    res = import_files("prefs", [_write(tmp_path, "p.jsonl", rows)])
    assert res.pairs == 2 and res.rejected == 0, res.problems
    pairs = DatasetStore().preference_pairs("prefs")
    assert pairs[0]["prompt"][0] == {"role": "system", "content": "Responda em português."}
    assert [m["role"] for m in pairs[0]["prompt"]] == ["system", "user", "assistant", "user"]
    assert (pairs[0]["chosen"], pairs[0]["rejected"]) == ("4", "22")
    assert len(pairs[1]["prompt"]) == 4 and (pairs[1]["chosen"], pairs[1]["rejected"]) == ("Goodbye!", "Whatever.")


BROKEN = [
    ({"prompt": "Oi", "chosen": "Olá", "rejected": "Olá"}, "the chosen and the rejected reply are the same"),
    ({"chosen": "Olá", "rejected": "Tchau"}, "a pair without a prompt"),
    ({"prompt": "Oi", "chosen": "", "rejected": "Tchau"}, "'chosen' has no text"),
    ({"prompt": "Oi", "chosen": [{"role": "assistant", "content": "a"}, {"role": "user", "content": "b"}],
      "rejected": "c"}, "'chosen' has 2 turns"),
    ({"chosen": [{"role": "user", "content": "x"}, {"role": "assistant", "content": "a"}],
      "rejected": [{"role": "user", "content": "y"}, {"role": "assistant", "content": "b"}]},
     "the same conversation up to one different assistant reply"),
    ({"input": {"messages": [{"role": "user", "content": "Oi"}], "tools": [{"name": "f"}]},
      "preferred_output": [{"role": "assistant", "content": "a"}],
      "non_preferred_output": [{"role": "assistant", "content": "b"}]}, "tool calls or tool definitions"),
    ({"conversations": [{"from": "human", "value": "Oi"}, {"from": "gpt", "value": "Olá"}],
      "chosen": {"from": "gpt", "value": "a"}, "rejected": {"from": "gpt", "value": "b"}},
     "must end with a user turn"),
]


def test_broken_pairs_are_rejected_with_a_reason_and_the_original_record(tmp_path):
    src = _write(tmp_path, "broken.jsonl", [row for row, _why in BROKEN])
    res = import_files("prefs", [src])
    assert res.imported == 0 and res.rejected == len(BROKEN)
    rejects = _rejects(res)
    for (row, why), rej in zip(BROKEN, rejects):
        assert why in rej["reason"]
        assert rej["object"] == row  # the record as it was given


def test_trl_prompt_chosen_without_rejected_stays_an_sft_example(tmp_path):
    """Only a record with both replies is a pair; ``prompt``/``chosen`` alone was and stays an example."""
    res = import_files("sft", [_write(tmp_path, "p.jsonl", [{"prompt": "Oi", "chosen": "Olá!"}])])
    assert res.imported == 1 and res.pairs == 0
    assert DatasetStore().examples("sft", split="all")[0]["messages"][-1]["content"] == "Olá!"


def test_same_prompt_and_chosen_with_another_rejected_is_another_pair(tmp_path):
    rows = [{"prompt": "Oi", "chosen": "Olá!", "rejected": "Hã?"},
            {"prompt": "Oi", "chosen": "Olá!", "rejected": "Não."},
            {"prompt": "Oi", "chosen": "Olá!", "rejected": "Hã?"}]
    res = import_files("prefs", [_write(tmp_path, "p.jsonl", rows)])
    assert (res.pairs, res.duplicates) == (2, 1)
    again = import_files("prefs", [_write(tmp_path, "p.jsonl", rows)])
    assert again.pairs == 0 and again.duplicates + again.near_duplicates == 3


def test_pii_scrubbing_covers_the_rejected_reply(tmp_path):
    row = {"prompt": "Meu e-mail?", "chosen": "Não guardo e-mails.", "rejected": "É ana.souza@example.com"}
    res = import_files("prefs", [_write(tmp_path, "p.jsonl", [row])], pii=True)
    assert res.pii_replacements == 1
    assert "ana.souza" not in DatasetStore().preference_pairs("prefs")[0]["rejected"]


def test_export_dpo_writes_imported_pairs_and_dpo_training_uses_them(tmp_path):
    from aeon_studio.core.training.runs import create_run

    src = _write(tmp_path, "all.jsonl", [SHAPES["trl_strings"], SHAPES["openai"] | {
        "preferred_output": [{"role": "assistant", "content": "Brasília, desde 1960."}]}])
    import_files("prefs", [src])
    out = tmp_path / "dpo.jsonl"
    assert main(["dataset", "export", "prefs", "--format", "dpo", "--out", str(out)]) == 0
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert rows[0] == {"prompt": PROMPT, "chosen": [{"role": "assistant", "content": CHOSEN}],
                       "rejected": [{"role": "assistant", "content": REJECTED}]}
    assert rows[1]["chosen"][0]["content"] == "Brasília, desde 1960."
    run = create_run("prefs", method="dpo", base="smollm2-135m-instruct")
    frozen = [json.loads(line) for line in (Path(run.spec["run_dir"]) / "dataset.jsonl").read_text().splitlines()]
    assert [(r["chosen"], r["rejected"]) for r in frozen] == [(CHOSEN, REJECTED), ("Brasília, desde 1960.", REJECTED)]


def test_dpo_encoding_reads_imported_pairs():
    """The DPO path encodes the pair rows the store gives (prompt messages + chosen/rejected text)."""
    from aeon_studio.core.training.data import encode_pair

    tok = _CharTokenizer()
    (c_ids, c_lab), (r_ids, r_lab) = encode_pair(tok, {"prompt": PROMPT, "chosen": CHOSEN, "rejected": REJECTED}, 512)
    assert tok.decode([i for i in c_lab if i != -100]).startswith(CHOSEN)
    assert tok.decode([i for i in r_lab if i != -100]).startswith(REJECTED)


def test_convert_writes_pairs_in_openai_shape_and_they_import_back(tmp_path):
    src = _write(tmp_path, "in.jsonl", [SHAPES["llamafactory_sharegpt"]])
    out = tmp_path / "out.jsonl"
    res = convert_file(src, out)
    assert (res.imported, res.pairs) == (1, 1)
    row = json.loads(out.read_text(encoding="utf-8"))
    assert row == SHAPES["openai"]
    back = import_files("back", [out])
    assert back.pairs == 1 and DatasetStore().preference_pairs("back")[0]["rejected"] == REJECTED


def test_preview_shows_the_rejected_reply(tmp_path, capsys):
    src = _write(tmp_path, "p.jsonl", [SHAPES["trl_strings"]])
    pv = preview_file(src)
    assert pv.records[0].rejected == REJECTED and pv.records[0].problem is None


def test_csv_of_prompt_chosen_rejected(tmp_path):
    src = tmp_path / "pairs.csv"
    src.write_text("prompt,chosen,rejected\nOi,Olá!,Hã?\n", encoding="utf-8")
    res = import_files("prefs", [src])
    assert res.pairs == 1
    assert DatasetStore().preference_pairs("prefs")[0]["rejected"] == "Hã?"


class _CharTokenizer:
    """One id per character, a ChatML-like template: enough to see which tokens are targets."""

    def apply_chat_template(self, messages, tokenize=True, add_generation_prompt=False, tools=None):
        text = "".join(f"<{m['role']}>{m['content']}\n" for m in messages)
        if add_generation_prompt:
            text += "<assistant>"
        return [ord(c) for c in text]

    def decode(self, ids):
        return "".join(chr(i) for i in ids)


def test_cli_import_reports_pairs_and_undesirable_and_previews_them(tmp_path, capsys):
    bad = {"messages": [{"role": "user", "content": "Oi"}, {"role": "assistant", "content": "Suma."}], "label": False}
    src = _write(tmp_path, "mix.jsonl", [SHAPES["trl_strings"], bad])
    assert main(["dataset", "import", str(src), "--name", "mix", "--preview"]) == 0
    out = capsys.readouterr().out
    assert f"rejected reply (preference pair): {REJECTED}" in out and "[labelled undesirable" in out
    assert main(["dataset", "import", str(src), "--name", "mix"]) == 0
    out = capsys.readouterr().out
    assert "Of those kept: 1 preference pair; 1 example labelled undesirable" in out


def test_the_rejected_reply_meets_the_same_limits(tmp_path):
    rows = [{"prompt": "Oi", "chosen": "Olá!", "rejected": "x" * 500},
            {"prompt": "Oi", "chosen": "Olá!", "rejected": "Hã?"}]
    res = import_files("prefs", [_write(tmp_path, "p.jsonl", rows)], max_chars=100)
    assert (res.pairs, res.rejected) == (1, 1)
    assert "500 characters, more than the maximum 100" in res.problems[0]
