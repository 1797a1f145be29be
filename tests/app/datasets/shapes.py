"""Small files in each shape the core now keeps: TRL preference pairs, KTO rows with ``label: false``, an OpenAI
conversation that calls a tool (used by the app's dataset tests and the screenshots walk)."""

from __future__ import annotations

import json
from pathlib import Path

TRL_PAIRS = [
    {"prompt": "Qual é a capital da Austrália?", "chosen": "A capital da Austrália é Camberra.",
     "rejected": "Sydney, claro."},
    {"prompt": [{"role": "user", "content": "How do I undo my last git commit?"}],
     "chosen": [{"role": "assistant", "content": "Run `git reset --soft HEAD~1`: the commit goes, your changes stay."}],
     "rejected": [{"role": "assistant", "content": "Delete the .git folder and start again."}]},
]
KTO_ROWS = [
    {"prompt": [{"role": "user", "content": "Como faço backup do meu banco PostgreSQL?"}],
     "completion": [{"role": "assistant", "content": "Use `pg_dump nome_do_banco > backup.sql` e guarde o arquivo."}],
     "label": True},
    {"prompt": [{"role": "user", "content": "Posso apagar /var/lib/postgresql para liberar espaço?"}],
     "completion": [{"role": "assistant", "content": "Pode sim, são só arquivos temporários."}],
     "label": False},
    {"prompt": [{"role": "user", "content": "Is it safe to store passwords in plain text?"}],
     "completion": [{"role": "assistant", "content": "Yes, if the database has a password."}],
     "label": False},
]
WEATHER = {"name": "get_weather", "description": "Current weather of a city",
           "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}
TOOL_CALL = {"messages": [
    {"role": "user", "content": "Como está o tempo em Lisboa?"},
    {"role": "assistant", "content": None, "tool_calls": [
        {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": '{"city": "Lisboa"}'}}]},
    {"role": "tool", "tool_call_id": "call_1", "content": '{"temp_c": 22, "sky": "limpo"}'},
    {"role": "assistant", "content": "Em Lisboa faz 22 °C, céu limpo."}],
    "tools": [{"type": "function", "function": WEATHER}]}


def write_jsonl(path: Path, rows: list) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def write_shapes(folder: Path) -> dict[str, Path]:
    """The three files in ``folder``: ``pairs``, ``kto`` and ``tools``."""
    folder.mkdir(parents=True, exist_ok=True)
    return {"pairs": write_jsonl(folder / "trl_pairs.jsonl", TRL_PAIRS),
            "kto": write_jsonl(folder / "kto_labels.jsonl", KTO_ROWS),
            "tools": write_jsonl(folder / "tool_calls.jsonl", [TOOL_CALL])}
