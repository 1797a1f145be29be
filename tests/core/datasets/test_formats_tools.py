"""Tool calls: LLaMA-Factory ``function_call``/``observation`` turns with a ``tools`` field and OpenAI
``tool_calls`` + ``tool`` turns are stored and exported in OpenAI's shape (and LLaMA-Factory's for ShareGPT);
a conversation whose calls name tools it does not define is rejected with its reason, never kept."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aeon_studio.core.cli.main import main
from aeon_studio.core.datasets import DatasetStore, convert_file, import_files
from aeon_studio.core.datasets.records import check_record

WEATHER = {"name": "get_weather", "description": "Current weather of a city",
           "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}
LF = {"conversations": [{"from": "human", "value": "Como está o tempo em Recife?"},
                        {"from": "function_call", "value": json.dumps({"name": "get_weather",
                                                                       "arguments": {"city": "Recife"}})},
                        {"from": "observation", "value": json.dumps({"temp_c": 29, "sky": "ensolarado"})},
                        {"from": "gpt", "value": "Em Recife faz 29 °C e está ensolarado."}],
      "tools": json.dumps([WEATHER])}
OPENAI = {"messages": [
    {"role": "system", "content": "Você é um assistente de viagens."},
    {"role": "user", "content": "Tempo em Recife e em Natal?"},
    {"role": "assistant", "content": None, "tool_calls": [
        {"id": "call_a", "type": "function", "function": {"name": "get_weather", "arguments": '{"city": "Recife"}'}},
        {"id": "call_b", "type": "function", "function": {"name": "get_weather", "arguments": '{"city": "Natal"}'}}]},
    {"role": "tool", "tool_call_id": "call_a", "content": '{"temp_c": 29}'},
    {"role": "tool", "tool_call_id": "call_b", "content": '{"temp_c": 31}'},
    {"role": "assistant", "content": "Recife 29 °C, Natal 31 °C."}],
    "tools": [{"type": "function", "function": WEATHER}]}
STORED_LF = [
    {"role": "user", "content": "Como está o tempo em Recife?"},
    {"role": "assistant", "content": "", "tool_calls": [
        {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": '{"city": "Recife"}'}}]},
    {"role": "tool", "content": '{"temp_c": 29, "sky": "ensolarado"}', "tool_call_id": "call_1"},
    {"role": "assistant", "content": "Em Recife faz 29 °C e está ensolarado."}]


def _write(tmp_path: Path, rows: list, name: str = "tools.jsonl") -> Path:
    p = tmp_path / name
    p.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return p


def _rejects(res) -> list[dict]:
    return [json.loads(line) for line in res.rejects_path.read_text(encoding="utf-8").splitlines()]


def test_llamafactory_tool_calls_are_stored_in_openai_shape(tmp_path):
    res = import_files("tools", [_write(tmp_path, [LF])])
    assert (res.imported, res.rejected) == (1, 0), res.problems
    [ex] = DatasetStore().examples("tools", split="all")
    assert ex["messages"] == STORED_LF
    assert ex["tools"] == [{"type": "function", "function": WEATHER}]


def test_openai_tool_calls_with_parallel_results_are_kept(tmp_path):
    res = import_files("tools", [_write(tmp_path, [OPENAI])])
    assert (res.imported, res.rejected) == (1, 0), res.problems
    [ex] = DatasetStore().examples("tools", split="all")
    msgs = ex["messages"]
    assert [m["role"] for m in msgs] == ["system", "user", "assistant", "tool", "tool", "assistant"]
    assert msgs[2]["content"] == "" and [c["id"] for c in msgs[2]["tool_calls"]] == ["call_a", "call_b"]
    assert [m["tool_call_id"] for m in msgs[3:5]] == ["call_a", "call_b"]  # two results, not merged
    assert ex["tools"] == OPENAI["tools"]


def test_exports_keep_tools_openai_and_sharegpt(tmp_path):
    import_files("tools", [_write(tmp_path, [LF, OPENAI])])
    out = tmp_path / "m.jsonl"
    assert main(["dataset", "export", "tools", "--format", "messages", "--out", str(out)]) == 0
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert rows[0] == {"messages": STORED_LF, "tools": [{"type": "function", "function": WEATHER}]}
    assert rows[1]["tools"] == OPENAI["tools"]
    # the exported file imports back to the same stored records
    import_files("back", [out])
    assert DatasetStore().examples("back", split="all") == DatasetStore().examples("tools", split="all")
    out = tmp_path / "s.jsonl"
    assert main(["dataset", "export", "tools", "--format", "sharegpt", "--out", str(out)]) == 0
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [t["from"] for t in rows[0]["conversations"]] == ["human", "function_call", "observation", "gpt"]
    assert json.loads(rows[0]["conversations"][1]["value"]) == {"name": "get_weather", "arguments": {"city": "Recife"}}
    assert json.loads(rows[0]["tools"]) == [WEATHER]
    # parallel calls: one function_call (a list) and one observation (the results as a JSON list)
    conv = rows[1]["conversations"]
    assert [t["from"] for t in conv] == ["system", "human", "function_call", "observation", "gpt"]
    assert len(json.loads(conv[2]["value"])) == 2 and json.loads(conv[3]["value"]) == ['{"temp_c": 29}',
                                                                                       '{"temp_c": 31}']


def test_convert_keeps_tools(tmp_path):
    out = tmp_path / "out.jsonl"
    res = convert_file(_write(tmp_path, [LF]), out)
    assert res.imported == 1
    assert json.loads(out.read_text(encoding="utf-8")) == {"messages": STORED_LF,
                                                           "tools": [{"type": "function", "function": WEATHER}]}


def _without_tools(row: dict) -> dict:
    return {k: v for k, v in row.items() if k != "tools"}


BROKEN = [
    (_without_tools(LF), "turn 2: the tool 'get_weather' is called, but the record has no 'tools' definitions"),
    (dict(LF, tools=json.dumps([{"name": "get_time", "parameters": {}}])),
     "turn 2: the tool 'get_weather' is called, but the record's 'tools' do not define it (defined: get_time)"),
    (dict(LF, tools="[{not json"), "the 'tools' field is not valid JSON"),
    ({"conversations": [LF["conversations"][0], {"from": "function_call", "value": "get_weather(Recife)"}],
      "tools": LF["tools"]}, "the function call is not valid JSON"),
    ({"messages": [{"role": "user", "content": "Oi"}, {"role": "tool", "content": "{}"},
                   {"role": "assistant", "content": "Olá"}]}, "turn 2 is a tool's result, but the turn before it"),
    ({"conversations": LF["conversations"][:2] + LF["conversations"][3:], "tools": LF["tools"]},
     "the tool call of turn 2 has no result"),
    ({"conversations": LF["conversations"][:3], "tools": LF["tools"]}, "the last turn is not an assistant reply"),
]


@pytest.mark.parametrize("row,why", BROKEN, ids=[str(i) for i in range(len(BROKEN))])
def test_tool_conversations_that_do_not_fit_are_rejected_with_the_reason(tmp_path, row, why):
    res = import_files("tools", [_write(tmp_path, [row])])
    assert res.imported == 0 and res.rejected == 1
    [rej] = _rejects(res)
    assert why in rej["reason"]
    assert rej["object"] == row


def test_a_final_tool_call_is_a_valid_target():
    """A conversation may end with the assistant calling a tool: that is what it learns to do."""
    msgs = STORED_LF[:2]
    assert check_record(msgs) is None


def test_training_refuses_a_template_that_hides_tool_calls():
    """A chat template that drops ``tool_calls`` would teach an empty reply: an error, never silent."""
    from aeon_studio.core.training.data import TrainingError, encode_sft

    row = {"messages": STORED_LF, "tools": [{"type": "function", "function": WEATHER}]}
    with pytest.raises(TrainingError, match="does not show tool calls"):
        encode_sft(_Tokenizer(shows_calls=False), [row], 1024)
    tok = _Tokenizer(shows_calls=True)
    [(ids, labels)] = encode_sft(tok, [row], 1024)
    targets = tok.decode([i for i in labels if i != -100])
    assert "get_weather" in targets and "29 °C" in targets
    assert tok.seen_tools == [WEATHER["name"]]  # the definitions reach the template


class _Tokenizer:
    """One id per character; renders tool calls only when ``shows_calls``."""

    def __init__(self, shows_calls: bool) -> None:
        self.shows_calls = shows_calls
        self.seen_tools: list[str] = []

    def apply_chat_template(self, messages, tokenize=True, add_generation_prompt=False, tools=None):
        if tools:
            self.seen_tools = [t["function"]["name"] for t in tools]
        text = ""
        for m in messages:
            body = m["content"]
            if self.shows_calls and m.get("tool_calls"):
                body += "".join(f"<call>{c['function']['name']}{json.dumps(c['function']['arguments'])}"
                                for c in m["tool_calls"])
            text += f"<{m['role']}>{body}\n"
        return [ord(c) for c in text + ("<assistant>" if add_generation_prompt else "")]

    def decode(self, ids):
        return "".join(chr(i) for i in ids)
