"""Adapter registry for chat: list, bind to a persona, resolve an adapter id → llama.cpp LoRA GGUF.

The training area writes :class:`AdapterRow` rows (PEFT folders). Here an adapter becomes usable by
the chat engine: its LoRA GGUF is converted on first use (well under a second for small models),
cached next to the adapters and remembered in ``AdapterRow.gguf_path``; a newer PEFT file makes it
convert again. :mod:`aeon_studio.core.services` hands :func:`resolve_lora_gguf` to the chat service, so a
persona that binds an adapter answers through it without restarting anything.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
import threading
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlmodel import col, or_, select

from ..errors import NotFoundError, ValidationError
from ..i18n import _
from ..settings import get_settings
from ..storage import Database, get_database
from ..storage.bindings import binding_history, record_binding
from ..storage.training_tables import AdapterRow

log = logging.getLogger(__name__)
_convert_lock = threading.Lock()
#: Adapter statuses a persona can answer with ("not-promoted": the gate kept the previous one; usable by hand).
USABLE = ("ready", "active", "not-promoted")


@dataclass(frozen=True)
class AdapterInfo:
    id: str
    name: str
    base_model_id: str
    path: Path
    gguf_path: Path | None
    run_id: str | None
    dataset_name: str | None
    method: str
    status: str
    created_at: datetime
    metrics: dict[str, Any] = field(default_factory=dict)
    spec: dict[str, Any] = field(default_factory=dict)
    personas: tuple[str, ...] = ()
    #: Version fields: the persona it was trained for, the adapter active then (None: base), dataset hash,
    #: the evaluation that judged it and the verdict ``{"promoted", "reasons", "by"}`` (empty: not judged).
    persona_key: str | None = None
    parent_id: str | None = None
    dataset_hash: str | None = None
    evaluation_id: int | None = None
    verdict: dict[str, Any] = field(default_factory=dict)
    #: Set by :func:`history`: the persona answers with it now.
    active: bool = False
    #: Set by :func:`history`: the stored evaluation report (``Comparison.as_dict()``), empty when none.
    evaluation: dict[str, Any] = field(default_factory=dict)

    @property
    def gguf_ready(self) -> bool:
        return self.gguf_path is not None and self.gguf_path.is_file()


def _db(db: Database | None) -> Database:
    return db or get_database()


def _info(row: AdapterRow, personas: tuple[str, ...] = (), *, active: bool = False,
          evaluation: dict[str, Any] | None = None) -> AdapterInfo:
    return AdapterInfo(row.id, row.name, row.base_model_id, Path(row.path),
                       Path(row.gguf_path) if row.gguf_path else None, row.run_id, row.dataset_name, row.method,
                       row.status, row.created_at, dict(row.metrics or {}), dict(row.spec or {}), personas,
                       row.persona_key, row.parent_id, row.dataset_hash, row.evaluation_id, dict(row.verdict or {}),
                       active, dict(evaluation or {}))


def _bindings(db: Database) -> dict[str, list[str]]:
    from ..personas import PersonaStore

    out: dict[str, list[str]] = {}
    for p in PersonaStore(db).list():
        if p.adapter_id:
            out.setdefault(p.adapter_id, []).append(p.key)
    return out


def list_adapters(db: Database | None = None) -> list[AdapterInfo]:
    """Every registered adapter, newest first, with the personas that use it."""
    db = _db(db)
    with db.session() as s:
        rows = s.exec(select(AdapterRow).order_by(AdapterRow.created_at.desc())).all()
    binds = _bindings(db)
    return [_info(r, tuple(binds.get(r.id, ()))) for r in rows]


def get_adapter(adapter_id: str, db: Database | None = None) -> AdapterInfo:
    db = _db(db)
    with db.session() as s:
        row = s.get(AdapterRow, adapter_id)
    if row is None:
        raise NotFoundError(_("No adapter called '{id}'.").format(id=adapter_id),
                            hint=_("See 'aeon-studio adapters list'."))
    return _info(row, tuple(_bindings(db).get(adapter_id, ())))


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "adapter"


def register_folder(folder: Path, *, base_model_id: str | None = None, name: str | None = None,
                    db: Database | None = None) -> AdapterInfo:
    """Register a PEFT folder given by path (e.g. trained elsewhere); returns the existing row if known."""
    from .lora_gguf import load_peft_lora

    db = _db(db)
    folder = Path(folder).expanduser().resolve()
    lora = load_peft_lora(folder)  # validates before anything is stored
    with db.session() as s:
        existing = s.exec(select(AdapterRow).where(AdapterRow.path == str(folder))).first()
        if existing is not None:
            return _info(existing)
        from ..models.registry import ModelRegistry

        known = {m.id for m in ModelRegistry(db).list()}
        hinted = str(lora.config.get("base_model_name_or_path") or "")
        base = base_model_id or (hinted if hinted in known else get_settings().default_model)
        if base not in known:
            raise NotFoundError(_("No model called '{id}'.").format(id=base),
                                hint=_("See 'aeon-studio models list' for the models you have."))
        ids = set(s.exec(select(AdapterRow.id)).all())
        stem = _slug(name or folder.name)
        new_id, n = stem, 2
        while new_id in ids:
            new_id, n = f"{stem}-{n}", n + 1
        row = AdapterRow(id=new_id, name=name or folder.name, base_model_id=base, path=str(folder),
                         spec={"r": lora.config.get("r"), "lora_alpha": lora.config.get("lora_alpha"),
                               "target_modules": lora.config.get("target_modules")})
        s.add(row)
    db.changes.emit("adapters")
    return _info(row)


def resolve_ref(ref: str, *, base_model_id: str | None = None, db: Database | None = None) -> AdapterInfo:
    """An adapter id, or a PEFT folder path (registered on the fly)."""
    db = _db(db)
    with db.session() as s:
        row = s.get(AdapterRow, ref)
    if row is not None:
        return get_adapter(ref, db)
    if Path(ref).expanduser().is_dir():
        return register_folder(Path(ref), base_model_id=base_model_id, db=db)
    raise NotFoundError(_("'{ref}' is neither an adapter id nor a PEFT adapter folder.").format(ref=ref),
                        hint=_("See 'aeon-studio adapters list', or give the folder that holds adapter_config.json."))


def base_gguf(info: AdapterInfo, db: Database | None = None) -> Path:
    from ..models.registry import ModelRegistry

    return ModelRegistry(_db(db)).resolve_path(info.base_model_id)


def _peft_mtime(folder: Path) -> float:
    files = [folder / n for n in ("adapter_model.safetensors", "adapter_model.bin", "adapter_config.json")]
    return max((f.stat().st_mtime for f in files if f.exists()), default=0.0)


def lora_gguf(adapter_id: str, *, db: Database | None = None, force: bool = False) -> Path:
    """The adapter's llama.cpp LoRA GGUF, converting (and caching) it when missing or stale."""
    from .lora_gguf import convert_lora

    db = _db(db)
    with _convert_lock:
        info = get_adapter(adapter_id, db)
        cached = info.gguf_path
        if (not force and cached is not None and cached.is_file()
                and cached.stat().st_mtime >= _peft_mtime(info.path)):
            return cached
        # The PEFT files' time is in the name: a retrained adapter gets a new path, so the chat engine
        # cache (keyed by path) loads the new weights instead of reusing the old ones.
        folder = get_settings().adapters_dir / "gguf"
        target = folder / f"{info.id}-{int(_peft_mtime(info.path))}.lora-f16.gguf"
        convert_lora(info.path, base_gguf(info, db), target, name=info.name)
        for old in folder.glob(f"{info.id}-*.lora-f16.gguf"):
            if old != target and old.name[len(info.id) + 1:].split(".")[0].isdigit():
                old.unlink(missing_ok=True)
        with db.session() as s:
            row = s.get(AdapterRow, adapter_id)
            row.gguf_path = str(target)
            s.add(row)
        db.changes.emit("adapters")
        log.info("adapter %s converted to %s", adapter_id, target)
        return target


def resolve_lora_gguf(adapter_id: str) -> Path | None:
    """The chat service's adapter resolver (wired in by :mod:`aeon_studio.core.services`)."""
    return lora_gguf(adapter_id)


def _bind(persona_key: str, adapter_id: str | None, db: Database):
    """Set the persona's adapter and, when it changed, note it in the binding history."""
    from ..personas import PersonaStore

    store = PersonaStore(db)
    before = store.get(persona_key).adapter_id
    persona = store.update(persona_key, adapter_id=adapter_id)
    if before != adapter_id:
        record_binding(db, persona_key, adapter_id)
    return persona


def activate(adapter_id: str, persona_key: str, db: Database | None = None):
    """Bind the adapter to a persona (converting it now, so problems show here, not mid-chat)."""
    db = _db(db)
    info = get_adapter(adapter_id, db)
    checks = info.metrics.get("checks") or {}
    if info.status == "rejected":
        raise ValidationError(
            _("Adapter '{id}' failed its checks after training and cannot be used: {failures}").format(
                id=adapter_id, failures="; ".join(checks.get("failures") or []) or _("no details")),
            hint=_("The answers it gave are in {log}. Train again with more examples (rate more replies 4 or 5 "
                   "stars) or fewer epochs.").format(log=checks.get("log") or _("the run folder")))
    if info.status not in USABLE:
        raise ValidationError(_("Adapter '{id}' is {status}, not ready to use.").format(id=adapter_id,
                                                                                      status=info.status))
    lora_gguf(adapter_id, db=db)
    return _bind(persona_key, adapter_id, db)


def deactivate(persona_key: str, db: Database | None = None):
    """The persona answers with the base model again."""
    return _bind(persona_key, None, _db(db))


def previous_adapter(persona_key: str, db: Database | None = None) -> str | None:
    """The adapter ``persona_key`` answered with before its current one; None means the base model.

    Adapters deleted or no longer usable since are skipped. The result equals the persona's current
    adapter only when there is nothing to go back to (a persona that never had an adapter)."""
    from ..personas import PersonaStore

    db = _db(db)
    current = PersonaStore(db).get(persona_key).adapter_id
    with db.session() as s:
        usable = set(s.exec(select(AdapterRow.id).where(col(AdapterRow.status).in_(USABLE))).all())
    for row in binding_history(db, persona_key):
        if row.adapter_id != current and (row.adapter_id is None or row.adapter_id in usable):
            return row.adapter_id
    return None


def use_previous(persona_key: str, db: Database | None = None):
    """Bind the persona's previous adapter again (or the base model); returns the updated persona."""
    from ..personas import PersonaStore

    db = _db(db)
    previous = previous_adapter(persona_key, db)
    if previous == PersonaStore(db).get(persona_key).adapter_id:
        raise ValidationError(_("Persona '{persona}' has no earlier adapter to go back to.")
                              .format(persona=persona_key),
                              hint=_("Bind an adapter in the Models tab or with 'aeon-studio adapters activate'."))
    return activate(previous, persona_key, db) if previous else deactivate(persona_key, db)


@dataclass(frozen=True)
class PersonaBinding:
    """What a persona answers with now, and what :func:`use_previous` would bind (None: the base model)."""

    persona_key: str
    current: AdapterInfo | None
    current_id: str | None  # set even when the bound adapter was deleted since (then ``current`` is None)
    previous: AdapterInfo | None
    can_go_back: bool


def persona_binding(persona_key: str, db: Database | None = None) -> PersonaBinding:
    """The persona's adapter and its previous one, for the chat header."""
    from ..personas import PersonaStore

    db = _db(db)
    current_id = PersonaStore(db).get(persona_key).adapter_id
    previous_id = previous_adapter(persona_key, db)

    def info(adapter_id: str | None) -> AdapterInfo | None:
        if adapter_id is None:
            return None
        with db.session() as s:
            row = s.get(AdapterRow, adapter_id)
        return _info(row) if row is not None else None

    return PersonaBinding(persona_key, info(current_id), current_id, info(previous_id), previous_id != current_id)


# -- versions -----------------------------------------------------------------------------------------------

def history(persona_key: str, db: Database | None = None) -> list[AdapterInfo]:
    """The persona's adapter versions, newest first: those trained for it and any ever bound to it.

    ``active`` marks the one it answers with now; ``evaluation`` holds each one's stored evaluation report.

    Raises:
        NotFoundError: No such persona.
    """
    from ..personas import PersonaStore
    from ..storage.evaluation_tables import EvaluationRow

    db = _db(db)
    current = PersonaStore(db).get(persona_key).adapter_id
    bound = {b.adapter_id for b in binding_history(db, persona_key, limit=100_000) if b.adapter_id}
    with db.session() as s:
        rows = s.exec(select(AdapterRow)
                      .where(or_(AdapterRow.persona_key == persona_key, col(AdapterRow.id).in_(bound)))
                      .order_by(col(AdapterRow.created_at).desc(), col(AdapterRow.id).desc())).all()
        wanted = [r.evaluation_id for r in rows if r.evaluation_id is not None]
        reports = {e.id: e.report for e in s.exec(select(EvaluationRow)
                                                  .where(col(EvaluationRow.id).in_(wanted))).all()}
    binds = _bindings(db)
    return [_info(r, tuple(binds.get(r.id, ())), active=r.id == current, evaluation=reports.get(r.evaluation_id))
            for r in rows]


def promote(adapter_id: str, db: Database | None = None, *, by: str = "user", persona_key: str | None = None):
    """Make the adapter its persona's active version and record it as promoted.

    A "not-promoted" adapter (the gate kept the previous one) becomes "ready"; the gate's reasons are kept
    and ``verdict["by"]`` says who promoted it.

    Args:
        adapter_id: The version to promote.
        db: The database (default: the settings' one).
        by: ``"gate"`` or ``"user"``.
        persona_key: The persona to bind it to (default: the one it was trained for).

    Returns:
        The updated persona.

    Raises:
        ValidationError: The adapter failed its checks ("rejected"), or it belongs to no persona.
        NotFoundError: No such adapter or persona.
    """
    if by not in ("gate", "user"):
        raise ValueError(f"by must be 'gate' or 'user', not {by!r}")
    db = _db(db)
    info = get_adapter(adapter_id, db)
    persona = persona_key or info.persona_key
    if persona is None:
        raise ValidationError(_("Adapter '{id}' was not trained for a persona.").format(id=adapter_id),
                              hint=_("Bind it to one with 'aeon-studio adapters activate {id} --persona KEY'.")
                              .format(id=adapter_id))
    result = activate(adapter_id, persona, db)  # converts and binds first: a failure here changes nothing
    with db.session() as s:
        row = s.get(AdapterRow, adapter_id)
        row.verdict = {**(row.verdict or {}), "promoted": True, "reasons": list((row.verdict or {}).get("reasons")
                                                                               or []), "by": by}
        if row.status == "not-promoted":
            row.status = "ready"
        s.add(row)
    db.changes.emit("adapters")
    return result


def rollback(persona_key: str, db: Database | None = None, *, to: str | None = None):
    """Bind an earlier version: the previous one (``to`` None), the base model (``"base"``) or a given version.

    Returns:
        The updated persona.

    Raises:
        ValidationError: Nothing earlier to go back to, ``to`` is not a version of this persona, or it
            failed its checks.
        NotFoundError: No such persona or adapter.
    """
    db = _db(db)
    if to is None:
        return use_previous(persona_key, db)
    if to == "base":
        return deactivate(persona_key, db)
    get_adapter(to, db)  # NotFoundError for an unknown id
    versions = {v.id: v for v in history(persona_key, db)}
    if to not in versions:
        raise ValidationError(
            _("Adapter '{id}' is not a version of persona '{persona}'.").format(id=to, persona=persona_key),
            hint=_("See 'aeon-studio adapters history {persona}', or bind any adapter with "
                   "'aeon-studio adapters activate'.").format(persona=persona_key))
    if versions[to].status == "not-promoted":  # going back to one the gate held back is promoting it by hand
        return promote(to, db, by="user", persona_key=persona_key)
    return activate(to, persona_key, db)


def _owned(path: Path) -> bool:
    """Whether Aeon Studio wrote ``path`` (under its adapters or runs folder), so deleting it is ours to do."""
    settings = get_settings()
    path = path.expanduser().resolve()
    return any(path.is_relative_to(root.expanduser().resolve()) for root in (settings.adapters_dir,
                                                                             settings.runs_dir))


def delete_adapter(adapter_id: str, db: Database | None = None) -> AdapterInfo:
    """Delete a version: its row, its LoRA GGUF and, when Aeon Studio wrote it, its PEFT folder.

    A folder registered by path from elsewhere is left alone; evaluations that mention the adapter are kept.

    Returns:
        What was deleted.

    Raises:
        ValidationError: A persona answers with it (nothing is deleted).
        NotFoundError: No such adapter.
    """
    db = _db(db)
    info = get_adapter(adapter_id, db)
    if info.personas:
        raise ValidationError(
            _("Adapter '{id}' is in use by {personas}; it was not deleted.").format(
                id=adapter_id, personas=", ".join(info.personas)),
            hint=_("Roll back first ('aeon-studio adapters rollback PERSONA') or bind another adapter, then delete "
                   "it."))
    with db.session() as s:
        s.delete(s.get(AdapterRow, adapter_id))
        shared = s.exec(select(AdapterRow.id).where(AdapterRow.path == str(info.path))).first() is not None
    # files after the row: a failure leaves a stray file, never a row that points at a missing one
    folder = get_settings().adapters_dir / "gguf"
    stale = [f for f in folder.glob(f"{info.id}-*.lora-f16.gguf") if f.name[len(info.id) + 1:].split(".")[0].isdigit()]
    for f in stale + ([info.gguf_path] if info.gguf_path and _owned(info.gguf_path) else []):
        f.unlink(missing_ok=True)
    if not shared and info.path.is_dir() and _owned(info.path):
        shutil.rmtree(info.path, ignore_errors=True)
    db.changes.emit("adapters")
    log.info("adapter %s deleted", adapter_id)
    return info


def metrics_summary(info: AdapterInfo) -> str:
    """A short text of the adapter's metrics for lists (e.g. "loss 0.12 · ppl 3.4")."""
    parts = []
    for key, label in (("train_loss", "loss"), ("loss", "loss"), ("eval_loss", "eval"), ("perplexity", "ppl"),
                       ("bleu", "BLEU")):
        value = info.metrics.get(key)
        if isinstance(value, (int, float)) and label not in {p.split()[0] for p in parts}:
            parts.append(f"{label} {value:.3g}")
    return " · ".join(parts) if parts else json.dumps(info.metrics, ensure_ascii=False)[:60] if info.metrics else ""


__all__ = ["AdapterInfo", "PersonaBinding", "activate", "base_gguf", "deactivate", "delete_adapter", "get_adapter",
           "history", "list_adapters", "lora_gguf", "metrics_summary", "persona_binding", "previous_adapter", "promote",
           "register_folder", "resolve_lora_gguf", "resolve_ref", "rollback", "use_previous"]
