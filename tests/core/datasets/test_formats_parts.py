"""Message content given as a list of parts (``{"type": "text", "text"|"value": …}``) is read, parts that are not
text are named in the reason (never "is empty"), and the rejects file always keeps the record as it was given."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aeon_studio.core.datasets import DatasetStore, convert_file, import_files, preview_file


def _write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def _jsonl(rows: list) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)


def _rejects(res) -> list[dict]:
    return [json.loads(line) for line in res.rejects_path.read_text(encoding="utf-8").splitlines()]


PARTS = [
    {"messages": [{"role": "user", "content": [{"type": "text", "value": "Qual é a capital do Peru?"}]},
                  {"role": "assistant", "content": [{"type": "text", "value": "Lima."}]}]},
    {"messages": [{"role": "user", "content": [{"type": "text", "text": "E do Chile?"}]},
                  {"role": "assistant", "content": [{"type": "text", "text": "Santiago."},
                                                    {"type": "text", "text": "Fica no centro do país."}]}]},
    {"conversations": [{"from": "human", "value": [{"type": "text", "value": "E da Bolívia?"}]},
                       {"from": "gpt", "value": [{"type": "text", "text": {"value": "Sucre (e La Paz)."}}]}]},
    {"instruction": [{"type": "text", "value": "Capital da Argentina?"}], "output": "Buenos Aires."},
]


def test_text_and_value_parts_are_read(tmp_path):
    res = import_files("parts", [_write(tmp_path, "parts.jsonl", _jsonl(PARTS))])
    assert (res.imported, res.rejected) == (4, 0), res.problems
    got = [[m["content"] for m in ex["messages"]] for ex in DatasetStore().examples("parts", split="all")]
    assert got == [["Qual é a capital do Peru?", "Lima."], ["E do Chile?", "Santiago.\nFica no centro do país."],
                   ["E da Bolívia?", "Sucre (e La Paz)."], ["Capital da Argentina?", "Buenos Aires."]]


BAD_PARTS = [
    ({"messages": [{"role": "user", "content": [{"type": "text", "value": "O que há na foto?"},
                                                {"type": "image_url", "image_url": {"url": "file:///x.png"}}]},
                   {"role": "assistant", "content": "Um gato."}]}, "parts that are not text (image_url)"),
    ({"messages": [{"role": "user", "content": [{"type": "text"}]}, {"role": "assistant", "content": "Oi"}]},
     "a text part has neither 'text' nor 'value'"),
    ({"messages": [{"role": "user", "content": []}, {"role": "assistant", "content": "Oi"}]},
     "the content is an empty list of parts"),
    ({"prompt": [{"type": "input_audio", "input_audio": {}}], "response": "Oi"}, "parts that are not text"),
]


def test_parts_that_are_not_text_are_named_and_the_original_is_kept(tmp_path):
    src = _write(tmp_path, "bad.jsonl", _jsonl([row for row, _why in BAD_PARTS]))
    res = import_files("parts", [src])
    assert (res.imported, res.rejected) == (0, len(BAD_PARTS))
    for (row, why), rej in zip(BAD_PARTS, _rejects(res)):
        assert why in rej["reason"] and "is empty" not in rej["reason"]
        assert rej["object"] == row


def test_rejects_keep_the_original_record_for_every_reason(tmp_path):
    """A record that parses but fails validation keeps its original next to what was read."""
    rows = [
        {"messages": [{"role": "user", "content": [{"type": "text", "value": "  "}]},
                      {"role": "assistant", "content": [{"type": "text", "value": "Oi"}]}]},
        {"messages": [{"role": "user", "content": "Oi"}]},
    ]
    res = import_files("parts", [_write(tmp_path, "r.jsonl", _jsonl(rows))])
    rejects = _rejects(res)
    assert [r["object"] for r in rejects] == rows
    assert "turn 1 (user) is empty" in rejects[0]["reason"]  # it really is: the text part holds only spaces
    assert rejects[1]["reason"] == "the last turn is not an assistant reply"


def test_json_array_and_wrapper_rejects_keep_the_original(tmp_path):
    arr = [PARTS[0], BAD_PARTS[0][0]]
    res = convert_file(_write(tmp_path, "a.json", json.dumps(arr, ensure_ascii=False, indent=1)),
                       tmp_path / "a.out.jsonl")
    assert (res.imported, res.rejected) == (1, 1)
    [rej] = _rejects(res)
    assert rej["object"] == BAD_PARTS[0][0] and rej["item"] == 2
    res = convert_file(_write(tmp_path, "w.json", json.dumps({"data": arr}, ensure_ascii=False)),
                       tmp_path / "w.out.jsonl")
    assert (res.imported, res.rejected) == (1, 1) and _rejects(res)[0]["object"] == BAD_PARTS[0][0]


def test_the_original_is_kept_before_mojibake_repair(tmp_path):
    """The rejects file shows the text as it was in the file, not the repaired one."""
    row = {"messages": [{"role": "user", "content": "Ol\u00c3\u00a1, tudo bem? Ã©"}]}  # UTF-8 read as Latin-1
    res = import_files("parts", [_write(tmp_path, "m.jsonl", _jsonl([row]))])
    [rej] = _rejects(res)
    assert rej["object"] == row
    assert rej["messages"][0]["content"] == "Olá, tudo bem? é"  # what was read (repaired) is there too


def test_csv_rejects_keep_the_row(tmp_path):
    res = import_files("parts", [_write(tmp_path, "q.csv", "pergunta,resposta\nOi,\n")])
    [rej] = _rejects(res)
    assert rej["row"] == ["Oi", ""] and "answer/assistant text is empty" in rej["reason"]


def test_preview_reads_parts(tmp_path):
    pv = preview_file(_write(tmp_path, "p.jsonl", _jsonl(PARTS[:1] + [BAD_PARTS[0][0]])))
    assert pv.records[0].problem is None and pv.records[0].messages[1]["content"] == "Lima."
    assert "image_url" in pv.records[1].problem


_WORDS = ["", "oi", "user", "gpt", "tool", "function_call", "observation", "text", "{}", "[1]", '{"name": 1}']
_SCALAR = st.one_of(st.none(), st.booleans(), st.integers(-2, 2), st.sampled_from(_WORDS))
_KEYS = st.sampled_from(["role", "from", "content", "value", "text", "type", "tool_calls", "function_call",
                         "tool_call_id", "name", "arguments", "function", "weight", "messages", "conversations",
                         "chosen", "rejected", "prompt", "completion", "label", "kto_tag", "tools", "input",
                         "preferred_output", "non_preferred_output", "system", "instruction", "output"])
_JSON = st.recursive(_SCALAR, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                      st.dictionaries(_KEYS, inner, max_size=5)), max_leaves=25)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(obj=st.dictionaries(_KEYS, _JSON, max_size=6))
def test_any_json_object_gives_a_record_or_a_reason_never_an_exception(obj):
    """Whatever shape a record has, reading it ends in messages that pass the checks, or in a reason."""
    from aeon_studio.core.datasets.formats.objects import read_object
    from aeon_studio.core.datasets.records import check_record

    got = read_object(obj, {})
    if got.messages is not None:
        assert got.problem is None
        check_record(got.messages)  # may give a reason, never raises
        assert got.rejected is None or isinstance(got.rejected, str)
        assert got.label in (None, True, False)
    else:
        assert got.problem is None or isinstance(got.problem, str)
