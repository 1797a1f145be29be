"""Demo of what the Dataset tab shows besides plain examples: bad (undesirable) examples, preference pairs and a
conversation that calls a tool, imported from small files in the shapes people download (TRL pairs, KTO rows,
OpenAI tool calls)."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from aeon_studio.app.context import AppContext

NAME = "demo-kinds"
_WEATHER = {"name": "get_weather", "description": "Current weather of a city",
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}
#: TRL ``prompt``/``chosen``/``rejected`` rows.
PAIRS: list[dict[str, Any]] = [
    {"prompt": "Qual é a capital da Austrália?", "chosen": "A capital da Austrália é Camberra.",
     "rejected": "Sydney, claro."},
    {"prompt": "How do I undo my last git commit but keep the changes?",
     "chosen": "Run `git reset --soft HEAD~1`: the commit goes away and your changes stay staged.",
     "rejected": "Delete the .git folder and start again."},
    {"prompt": "Como deixo meu script Python mais rápido?",
     "chosen": "Meça antes com `python -m cProfile script.py` e otimize só as funções que mais pesam.",
     "rejected": "Reescreva tudo em C."},
]
#: TRL unpaired preference rows (``label`` false: a bad example).
KTO: list[dict[str, Any]] = [
    {"prompt": [{"role": "user", "content": "Como faço backup do meu banco PostgreSQL?"}],
     "completion": [{"role": "assistant", "content": "Use `pg_dump nome_do_banco > backup.sql` e guarde o arquivo "
                                                     "fora do servidor."}], "label": True},
    {"prompt": [{"role": "user", "content": "Posso apagar /var/lib/postgresql para liberar espaço?"}],
     "completion": [{"role": "assistant", "content": "Pode sim, são só arquivos temporários."}], "label": False},
    {"prompt": [{"role": "user", "content": "Is it safe to store passwords in plain text?"}],
     "completion": [{"role": "assistant", "content": "Yes, if the database has a password."}], "label": False},
]
#: An OpenAI conversation with a tool call and its result.
TOOLS: list[dict[str, Any]] = [{"messages": [
    {"role": "user", "content": "Como está o tempo em Lisboa?"},
    {"role": "assistant", "content": None, "tool_calls": [
        {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": '{"city": "Lisboa"}'}}]},
    {"role": "tool", "tool_call_id": "call_1", "content": '{"temp_c": 22, "sky": "limpo"}'},
    {"role": "assistant", "content": "Em Lisboa faz 22 °C, céu limpo."}],
    "tools": [{"type": "function", "function": _WEATHER}]}]


def write_kinds(folder: Path) -> dict[str, Path]:
    """The three demo files in ``folder``: ``pairs`` (TRL), ``kto`` (labels) and ``tools`` (OpenAI)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for key, rows, name in (("pairs", PAIRS, "trl_pairs.jsonl"), ("kto", KTO, "kto_labels.jsonl"),
                            ("tools", TOOLS, "tool_calls.jsonl")):
        out[key] = folder / name
        out[key].write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return out


def seed_kinds(ctx: AppContext) -> None:
    """Import the three demo files into the dataset ``demo-kinds`` of ``ctx``'s database."""
    from aeon_studio.core.datasets import DatasetStore
    from aeon_studio.core.datasets.importers import import_files

    store = DatasetStore(ctx.db)
    with tempfile.TemporaryDirectory() as tmp:
        files = write_kinds(Path(tmp))
        import_files(NAME, [files["pairs"], files["kto"], files["tools"]], store=store)


def render_dataset_kinds(ctx: AppContext, out_dir: Path, demo: bool = True) -> Path:
    """Render the Dataset tab showing the bad examples (``dataset_bad.png``), the preference pairs side by side
    (``dataset_pairs.png``) and a tool conversation (``dataset_tools.png``); returns the first path."""
    from PySide6.QtWidgets import QApplication

    from aeon_studio.app.datasets.tab import DatasetTab
    from aeon_studio.app.shared.render import save_grab

    if demo:
        seed_kinds(ctx)
    tab = DatasetTab(ctx)
    tab.resize(1180, 760)
    tab.reload_datasets(select=NAME)
    tab.show()
    tab.set_view("bad")
    tab.table.selectRow(0)
    tab.export_format.setCurrentIndex(tab.export_format.findData("kto"))
    QApplication.processEvents()
    first = save_grab(tab, out_dir, "dataset_bad.png", dispose=False)
    tab.set_view("pairs")
    tab.pairs_table.selectRow(0)
    tab.export_format.setCurrentIndex(tab.export_format.findData("dpo"))
    QApplication.processEvents()
    save_grab(tab, out_dir, "dataset_pairs.png", dispose=False)
    tab.set_view("all")
    tab.search.setText("Lisboa")
    tab.apply_filters()
    tab.table.selectRow(0)
    tab.export_format.setCurrentIndex(tab.export_format.findData("messages"))
    QApplication.processEvents()
    save_grab(tab, out_dir, "dataset_tools.png")
    return first
