"""Export jobs shared by the CLI and the Models tab: GGUF (LoRA or merged + quantized) and Ollama.

Each job writes under a temporary name, reloads the result in llama.cpp, and only then records it
(``ExportRow``) and reports it; a failed check deletes the output and raises with the reasons.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlmodel import select

from ..i18n import _
from ..settings import get_settings
from ..storage import Database, get_database
from ..storage.export_tables import ExportRow
from . import adapters
from .verify import VerifyReport, verify_export

log = logging.getLogger(__name__)

Progress = Callable[[float, str], None]


@dataclass
class ExportOutcome:
    kind: str  # "lora" | "merged" | "ollama"
    path: Path
    size: int
    seconds: float
    report: VerifyReport | None = None
    quant: str | None = None
    detail: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"kind": self.kind, "path": str(self.path), "size": self.size, "seconds": round(self.seconds, 2),
                "quant": self.quant, "checks": self.report.as_dict() if self.report else None, **self.detail}


def _noop(_f: float, _m: str) -> None:
    return None


def _record(db: Database, info: adapters.AdapterInfo, outcome: ExportOutcome) -> None:
    with db.session() as s:
        s.add(ExportRow(adapter_id=info.id, base_model_id=info.base_model_id, kind=outcome.kind,
                        quant=outcome.quant, path=str(outcome.path), size=outcome.size, ok=True,
                        checks=outcome.report.as_dict()["checks"] if outcome.report else [],
                        detail=outcome.detail))


def list_exports(db: Database | None = None, adapter_id: str | None = None) -> list[ExportRow]:
    """Recorded exports whose files still exist, newest first."""
    db = db or get_database()
    with db.session() as s:
        q = select(ExportRow).order_by(ExportRow.created_at.desc())
        if adapter_id:
            q = q.where(ExportRow.adapter_id == adapter_id)
        rows = s.exec(q).all()
    return [r for r in rows if Path(r.path).exists()]


def export_gguf(ref: str, *, merge: bool = False, quant: str = "Q4_K_M", out_dir: Path | None = None,
                base_model_id: str | None = None, prompts: list[str] | None = None,
                progress: Progress | None = None, db: Database | None = None) -> ExportOutcome:
    """Export adapter ``ref`` (id or PEFT folder) as a checked LoRA GGUF, or merged + quantized."""
    from .merged_gguf import merge_and_quantize
    from .lora_gguf import convert_lora

    db = db or get_database()
    progress = progress or _noop
    t0 = time.perf_counter()
    info = adapters.resolve_ref(ref, base_model_id=base_model_id, db=db)
    base = adapters.base_gguf(info, db)
    out_dir = Path(out_dir) if out_dir else get_settings().exports_dir / info.id
    progress(0.05, _("Converting the adapter to a llama.cpp LoRA GGUF"))
    if not merge:
        target = out_dir / f"{info.id}.lora-f16.gguf"
        convert_lora(info.path, base, target, name=info.name)
        progress(0.5, _("Checking the adapter in llama.cpp"))
        report = verify_export(target, kind="lora", base_gguf=base, prompts=prompts)
        outcome = ExportOutcome("lora", target, target.stat().st_size, time.perf_counter() - t0, report, "F16")
    else:
        lora = adapters.lora_gguf(info.id, db=db)
        target = out_dir / f"{info.id}.{quant}.gguf"

        def sub(f: float, msg: str) -> None:
            progress(0.1 + 0.6 * f, msg)

        result = merge_and_quantize(base, lora, target, quant, name=f"{info.name} (merged)", progress=sub)
        progress(0.75, _("Checking the merged model in llama.cpp"))
        report = verify_export(target, kind="merged", base_gguf=base, prompts=prompts, lora_for_reference=lora)
        outcome = ExportOutcome("merged", target, result.size, time.perf_counter() - t0, report, quant,
                                {"merge_s": round(result.merge_seconds, 2),
                                 "quantize_s": round(result.quantize_seconds, 2)})
    progress(1.0, _("Done: {path}").format(path=target))
    _record(db, info, outcome)
    return outcome


def export_ollama(ref: str, name: str, *, host: str | None = None, modelfile_only: bool = False,
                  merged: Path | None = None, persona_key: str | None = None, out_dir: Path | None = None,
                  base_model_id: str | None = None, status: Callable[[str], None] | None = None,
                  db: Database | None = None) -> ExportOutcome:
    """Write an Ollama folder (base + ADAPTER, or a merged GGUF) and create the model."""
    from ..ollama.names import check_model_name
    from ..personas import PersonaStore
    from .gguf_io import quick_read
    from .ollama import OllamaSpec, default_system_prompt, export_ollama as run_ollama, template_family

    check_model_name(name)  # Ollama's own rules, before any file is written
    db = db or get_database()
    status = status or (lambda _m: None)
    t0 = time.perf_counter()
    info = adapters.resolve_ref(ref, base_model_id=base_model_id, db=db)
    base = adapters.base_gguf(info, db)
    personas = PersonaStore(db)
    persona = personas.get(persona_key or (info.personas[0] if info.personas else get_settings().default_persona))
    kv = quick_read(Path(merged) if merged else base).kv
    family = template_family(kv.get("tokenizer.chat_template"), str(kv.get("general.architecture", "")))
    if merged:
        spec = OllamaSpec(name, Path(merged), None, family)
    else:
        spec = OllamaSpec(name, base, adapters.lora_gguf(info.id, db=db), family)
    spec.system, spec.temperature, spec.top_p = persona.system_prompt, persona.temperature, persona.top_p
    spec.default_system = default_system_prompt(kv.get("tokenizer.chat_template"), family)
    safe = name.replace("://", "_").replace(":", "_").replace("/", "_")  # "user/aeon:v2" is one folder
    folder = Path(out_dir) if out_dir else get_settings().exports_dir / "ollama" / safe
    result = run_ollama(spec, folder, host=host, modelfile_only=modelfile_only, status=status)
    size = sum(f.stat().st_size for f in folder.iterdir() if f.is_file())
    outcome = ExportOutcome("ollama", result.modelfile, size, time.perf_counter() - t0, None, None,
                            {"method": result.method, "command": result.command, "name": name,
                             "statuses": result.statuses, "family": family, "persona": persona.key})
    _record(db, info, outcome)
    return outcome


def remove_export(path: Path, db: Database | None = None) -> None:
    db = db or get_database()
    with contextlib.suppress(FileNotFoundError):
        Path(path).unlink()
    with db.session() as s:
        for row in s.exec(select(ExportRow).where(ExportRow.path == str(path))).all():
            s.delete(row)
