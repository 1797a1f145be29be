"""JSON and JSONL syntax errors name the file line and column and show the offending text."""

from __future__ import annotations

import json

from aeon_studio.core.datasets.formats.jsonerrors import excerpt, json_error
from aeon_studio.core.datasets.importers import convert_file


def _problems(tmp_path, name: str, text: str) -> list[str]:
    src = tmp_path / name
    src.write_text(text, encoding="utf-8")
    res = convert_file(src, tmp_path / "out.jsonl")
    return res.problems


def test_jsonl_errors_give_the_file_line_column_and_text(tmp_path):
    good = json.dumps({"messages": [{"role": "user", "content": "oi"}, {"role": "assistant", "content": "olá"}]})
    text = "\n".join([good, '{"messages": [{"role": "user", "content": "Olá, tudo bem}]}', good.replace("oi", "a"),
                      '{"prompt": "x", "response": "y",}']) + "\n"
    problems = _problems(tmp_path, "data.jsonl", text)
    assert problems[0] == ("data.jsonl:2: invalid JSON at line 2, column 43: a string is not closed (a missing '\"'); "
                           "near: … [{\"role\": \"user\", \"content\": \"Olá, tudo bem}]}")
    assert problems[1].startswith("data.jsonl:4: invalid JSON at line 4, column 33: a key in double quotes was "
                                  "expected")
    assert problems[1].endswith('near: …prompt": "x", "response": "y",}')


def test_json_array_items_and_whole_files(tmp_path):
    text = ('[\n  {"messages": [\n    {"role": "user", "content": "oi"},\n'
            '    {"role": "assistant" "content": "x"}]},\n  {"q": 1,}\n]\n')
    problems = _problems(tmp_path, "arr.json", text)
    assert problems[0].startswith("arr.json:2: array item 1: invalid JSON at line 4, column 26: a ',' is missing")
    assert problems[1].startswith("arr.json:5: array item 2: invalid JSON at line 5, column 11:")
    problems = _problems(tmp_path, "obj.json", '{"messages": [\n  {"role": "user", "content": "oi\n"}]}')
    assert problems[0].startswith("obj.json:2: invalid JSON at line 2, column 34: a line break")


def test_excerpt_is_short_and_marks_cuts():
    line = "x" * 100 + "ERRO" + "y" * 100
    shown = excerpt(line, 100)
    assert shown == "…" + "x" * 30 + "ERRO" + "y" * 26 + "…"
    try:
        json.loads("")
    except ValueError as exc:
        assert json_error(exc, "").endswith("near: (the end of the text)")
