"""KTO labels (TRL ``label``, LLaMA-Factory ``kto_tag``): kept on the stored example, shown as bad examples,
exported with ``--format kto``, and an undesirable answer is never an SFT target (checked through the training
data builder: the run snapshot and the SFT encoding)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aeon_studio.core.cli.main import main
from aeon_studio.core.datasets import DatasetStore, convert_file, import_files
from aeon_studio.core.datasets.browse import count_examples, query_examples

GOOD = {"messages": [{"role": "user", "content": "Como reinicio o roteador?"},
                     {"role": "assistant", "content": "Desligue-o da tomada por 30 segundos."}], "label": True}
BAD = {"messages": [{"role": "user", "content": "Como reinicio o roteador?"},
                    {"role": "assistant", "content": "Jogue-o pela janela."}], "label": False}
ROWS = [
    GOOD, BAD,
    {"prompt": "Diga oi", "completion": "Vá embora.", "label": False},  # TRL unpaired, strings
    {"prompt": [{"role": "user", "content": "Say hi"}],  # TRL unpaired, conversational
     "completion": [{"role": "assistant", "content": "Hi there!"}], "label": True},
    {"conversations": [{"from": "human", "value": "Quanto é 2+2?"}, {"from": "gpt", "value": "5"}],
     "kto_tag": False},  # LLaMA-Factory
    {"messages": [{"role": "user", "content": "Oi"}, {"role": "assistant", "content": "Olá!"}]},  # unlabelled
]
BAD_REPLIES = {"Jogue-o pela janela.", "Vá embora.", "5"}


def _write(tmp_path: Path, rows: list, name: str = "kto.jsonl") -> Path:
    p = tmp_path / name
    p.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return p


def _replies(rows) -> set[str]:
    return {r["messages"][-1]["content"] for r in rows}


def test_labels_are_kept_on_the_stored_examples(tmp_path):
    res = import_files("kto", [_write(tmp_path, ROWS)])
    assert (res.read, res.imported, res.undesirable, res.rejected) == (6, 6, 3, 0), res.problems
    store = DatasetStore()
    labels = {r.messages[-1]["content"]: r.label for r in store.example_rows("kto")}
    assert labels == {"Desligue-o da tomada por 30 segundos.": True, "Jogue-o pela janela.": False,
                      "Vá embora.": False, "Hi there!": True, "5": False, "Olá!": None}
    assert store.stats("kto")["undesirable"] == 3


def test_an_undesirable_answer_is_never_an_sft_target(tmp_path):
    from aeon_studio.core.training.data import encode_sft
    from aeon_studio.core.training.runs import create_run

    import_files("kto", [_write(tmp_path, ROWS)])
    store = DatasetStore()
    assert not _replies(store.examples("kto", split="all")) & BAD_REPLIES  # what every SFT reader gets
    # the run snapshot (what the worker trains on)
    run = create_run("kto", method="sft", base="smollm2-135m-instruct")
    frozen = [json.loads(line) for line in (Path(run.spec["run_dir"]) / "dataset.jsonl").read_text().splitlines()]
    assert len(frozen) == 3 and not _replies(frozen) & BAD_REPLIES
    assert all("label" not in r for r in frozen)
    # rows given directly (a .jsonl, a retrain plan) go through the same filter
    run = create_run(rows=[GOOD, BAD], method="sft", dataset_name="direct", base="smollm2-135m-instruct")
    frozen = [json.loads(line) for line in (Path(run.spec["run_dir"]) / "dataset.jsonl").read_text().splitlines()]
    assert not _replies(frozen) & BAD_REPLIES
    # and the SFT encoding itself never makes a target of an undesirable reply
    tok = _CharTokenizer()
    encoded = encode_sft(tok, [GOOD, BAD], 512)
    targets = [tok.decode([i for i in labels if i != -100]) for _ids, labels in encoded]
    assert len(targets) == 1 and "Desligue-o" in targets[0] and not any("janela" in t for t in targets)


def test_a_dataset_of_only_undesirable_answers_cannot_start_an_sft_run(tmp_path):
    from aeon_studio.core.training.data import TrainingError
    from aeon_studio.core.training.runs import create_run

    with pytest.raises(TrainingError):
        create_run(rows=[BAD], method="sft", dataset_name="bad", base="smollm2-135m-instruct")


def test_bad_examples_view_cli_and_browse_filter(tmp_path, capsys):
    import_files("kto", [_write(tmp_path, ROWS)])
    capsys.readouterr()
    assert main(["dataset", "preview", "kto", "--bad", "-n", "10"]) == 0
    out = capsys.readouterr().out
    assert "Jogue-o pela janela." in out and "Vá embora." in out and "Desligue-o" not in out
    assert main(["dataset", "preview", "kto", "--bad", "--json"]) == 0
    assert all(r["label"] is False for r in json.loads(capsys.readouterr().out))
    assert main(["dataset", "stats", "kto"]) == 0
    assert "3 examples are labelled undesirable" in capsys.readouterr().out
    # the Dataset tab's table reads through browse: a filter for the bad ones, and they stay listed otherwise
    assert count_examples("kto", label=False) == 3 and count_examples("kto") == 6
    assert {e.messages[-1]["content"] for e in query_examples("kto", label=False)} == BAD_REPLIES


def test_export_kto_keeps_labels_and_sft_formats_leave_the_bad_ones_out(tmp_path, capsys):
    import_files("kto", [_write(tmp_path, ROWS)])
    out = tmp_path / "kto.out.jsonl"
    assert main(["dataset", "export", "kto", "--format", "kto", "--out", str(out)]) == 0
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 6
    by_reply = {r["completion"][0]["content"]: r for r in rows}
    assert by_reply["Jogue-o pela janela."]["label"] is False and by_reply["Olá!"]["label"] is True
    assert by_reply["Jogue-o pela janela."]["prompt"] == [{"role": "user", "content": "Como reinicio o roteador?"}]
    capsys.readouterr()
    for fmt in ("messages", "sharegpt"):
        path = tmp_path / f"{fmt}.jsonl"
        assert main(["dataset", "export", "kto", "--format", fmt, "--out", str(path)]) == 0
        assert "Left out 3 examples labelled undesirable" in capsys.readouterr().out
        text = path.read_text(encoding="utf-8")
        assert len(text.splitlines()) == 3 and not any(b in text for b in ("janela", "Vá embora"))


def test_a_label_that_is_not_a_boolean_is_rejected_with_a_reason(tmp_path):
    rows = [dict(GOOD, label="positive"), {**{k: v for k, v in BAD.items() if k != "label"}, "kto_tag": "maybe"},
            dict(GOOD, label="false")]
    res = import_files("kto", [_write(tmp_path, rows)])
    assert (res.imported, res.rejected, res.undesirable) == (1, 2, 1)
    assert "'label' must be true or false" in res.problems[0] and "'kto_tag' must be" in res.problems[1]


def test_csv_label_column(tmp_path):
    """A spreadsheet's ``label`` column is a KTO label when it holds booleans, and a category otherwise."""
    (tmp_path / "kto.csv").write_text("pergunta,resposta,label\nOi,Olá!,true\nOi,Suma.,false\n", encoding="utf-8")
    (tmp_path / "cat.csv").write_text("pergunta,resposta,label\nOi,Olá!,saudação\n", encoding="utf-8")
    res = import_files("kto", [tmp_path / "kto.csv"])
    assert (res.imported, res.undesirable) == (2, 1)
    res = import_files("cat", [tmp_path / "cat.csv"])
    assert (res.imported, res.undesirable, res.rejected) == (1, 0, 0)
    assert DatasetStore().example_rows("cat")[0].label is None


def test_convert_keeps_the_label(tmp_path):
    out = tmp_path / "out.jsonl"
    res = convert_file(_write(tmp_path, [GOOD, BAD]), out)
    assert (res.imported, res.undesirable) == (2, 1)
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["label"] for r in rows] == [True, False]


def test_same_conversation_with_both_labels_is_two_examples(tmp_path):
    """The label is part of the record: a desirable and an undesirable copy are not duplicates."""
    res = import_files("kto", [_write(tmp_path, [GOOD, dict(GOOD, label=False)])])
    assert (res.imported, res.duplicates, res.undesirable) == (2, 0, 1)


class _CharTokenizer:
    def apply_chat_template(self, messages, tokenize=True, add_generation_prompt=False, tools=None):
        text = "".join(f"<{m['role']}>{m['content']}\n" for m in messages)
        return [ord(c) for c in text + ("<assistant>" if add_generation_prompt else "")]

    def decode(self, ids):
        return "".join(chr(i) for i in ids)
