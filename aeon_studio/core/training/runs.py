"""Run registry: create a run (frozen dataset snapshot + spec), start/cancel/resume its worker process,
fold its events (:mod:`.events`) into the ``TrainingRun`` row, and register the adapter it produced."""

from __future__ import annotations

import json
import os
import signal
import subprocess
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sqlmodel import select

from ..errors import NotFoundError, ValidationError
from ..i18n import _
from ..settings import get_settings
from ..storage import get_database
from ..storage.tables import utcnow
from ..storage.training_tables import AdapterRow, TrainingRun
from .data import TrainingError, read_jsonl, sft_rows, write_jsonl
from .events import (FINAL, Cancelled, Checkpoint, Checks, Done, Error, Eval, Event, Preflight, Resume, RunStatus,
                     Start, Step, parse)
from .spec import make_spec


def _db(db=None):
    return db or get_database()


def run_dir(run_id: str) -> Path:
    return get_settings().runs_dir / run_id


def snapshot_rows(dataset: str, method: str = "sft") -> tuple[str, list[dict[str, Any]]]:
    """(dataset name, rows) from a .jsonl path or a dataset name of the dataset store."""
    p = Path(dataset).expanduser()
    if p.suffix == ".jsonl" and p.exists():
        return p.stem, read_jsonl(p)
    try:
        from ..datasets import DatasetStore  # type: ignore[attr-defined]
    except ImportError as exc:
        raise NotFoundError(_("No dataset file '{name}'.").format(name=dataset),
                            hint=_("Give a path to a .jsonl file of {\"messages\": [...]} examples.")) from exc
    store = DatasetStore()
    if method in ("dpo", "orpo"):  # both train on the preference pairs
        rows = store.preference_pairs(dataset)
    else:  # KTO learns from the replies labelled undesirable too
        rows = store.examples(dataset, split="train", undesirable=method == "kto")
    return dataset, list(rows)


def held_out_rows(dataset: str, method: str = "sft") -> list[dict[str, Any]]:
    """The dataset store's held-out (eval) split of ``dataset``: never trained on, it gives the run an eval loss.
    Empty for a .jsonl path (the spec's ``eval_fraction`` splits those) and for preference pairs."""
    p = Path(dataset).expanduser()
    if method != "sft" or (p.suffix == ".jsonl" and p.exists()):
        return []
    from ..datasets import DatasetStore  # type: ignore[attr-defined]

    return DatasetStore().examples(dataset, split="eval")


def create_run(dataset: str | None = None, *, rows: list[dict[str, Any]] | None = None, base: str | None = None,
               preset: str = "quick", method: str = "sft", backend: str = "auto", persona_key: str | None = None,
               dataset_name: str | None = None, eval_rows: list[dict[str, Any]] | None = None, db=None,
               **overrides: Any) -> TrainingRun:
    """Freeze the dataset (``rows``, or the train split of ``dataset``) and the held-out rows (``eval_rows``, or
    the eval split of ``dataset``) into a new run folder with its spec; the worker is started by :func:`start`."""
    if rows is None:
        if not dataset:
            raise ValidationError(_("No dataset given."), hint=_("Pass --dataset NAME or a .jsonl path."))
        dataset_name, rows = snapshot_rows(dataset, method)
        if eval_rows is None:
            eval_rows = held_out_rows(dataset, method)
    from .trl_prefs import PAIRED, check_shape

    check_shape(method, rows, dataset_name or dataset or "rows")  # a wrong shape fails here, not in the worker
    from .launch import check as check_launch

    launch = {k: overrides.get(k) for k in ("processes", "nodes", "node_rank", "master_addr")}
    check_launch(**{k: v for k, v in launch.items() if v is not None})  # e.g. --processes 4 on 2 cores
    if method == "sft":  # an answer labelled undesirable (KTO) is never learned as a good one
        rows = sft_rows(rows)
        eval_rows = sft_rows(eval_rows) if eval_rows else eval_rows
    if not rows and method in PAIRED:  # its examples do not count: a pair method only reads the pairs
        raise TrainingError(
            _("The dataset '{name}' has no preference pairs (a chosen and a rejected reply to the same prompt), and "
              "{method} uses nothing else.").format(name=dataset_name or dataset, method=PAIRED[method]),
            hint=_("Train its examples with --method sft (SFT in the Training tab), or add pairs: 'aeon-studio "
                   "dataset from-chats' makes them from edited replies, kept regenerations and differently rated "
                   "replies; a .jsonl of prompt/chosen/rejected rows can be imported."))
    if not rows:
        raise TrainingError(_("The dataset '{name}' has no examples.").format(name=dataset_name or dataset),
                            hint=_("Rate some replies (4 or 5) or add examples, then retry."))
    base = base or get_settings().default_model
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
    db = _db(db)
    with db.session() as s:
        ids = set(s.exec(select(TrainingRun.id)).all())
    rid, n = f"run-{stamp}", 2
    while rid in ids or run_dir(rid).exists():
        rid, n = f"run-{stamp}-{n}", n + 1
    folder = run_dir(rid)
    folder.mkdir(parents=True)
    write_jsonl(folder / "dataset.jsonl", rows)
    if eval_rows:
        write_jsonl(folder / "eval.jsonl", eval_rows)
        overrides["eval_path"] = str(folder / "eval.jsonl")
    spec = make_spec(run_dir=str(folder), dataset_path=str(folder / "dataset.jsonl"), base=base, preset=preset,
                     method=method, backend=backend, **overrides)
    write_text_atomic(folder / "spec.json", spec.model_dump_json(indent=2))
    # what the adapter will descend from, known now (the persona may bind another one while this run trains)
    lineage = {"parent_id": _bound_adapter(persona_key, db), "dataset_hash": dataset_hash(rows)}
    from .cost import price_now

    if (price := price_now()) is not None:  # the price of an hour now: what this run's time will cost
        lineage["price"] = price
    row = TrainingRun(id=rid, dataset_name=dataset_name or (str(dataset) if dataset else None), base_model=base,
                      method=method, preset=preset, persona_key=persona_key, spec=spec.model_dump(),
                      metrics=lineage)
    with db.session() as s:
        s.add(row)
    db.changes.emit("runs")
    return row


def dataset_hash(rows: list[dict[str, Any]]) -> str:
    """A fingerprint of the training rows (order does not matter): equal data, equal hash."""
    import hashlib

    from ..datasets.records import content_hash

    def one(row: dict[str, Any]) -> str:  # preference pairs have no "messages"
        if isinstance(row.get("messages"), list):
            return content_hash(row["messages"])
        return hashlib.sha256(json.dumps(row, sort_keys=True, ensure_ascii=False).encode()).hexdigest()

    digest = hashlib.sha256()
    for h in sorted(one(r) for r in rows):
        digest.update(h.encode())
    return digest.hexdigest()[:16]


def _bound_adapter(persona_key: str | None, db) -> str | None:
    """The adapter the persona answers with now (None: the base model, or no such persona)."""
    if not persona_key:
        return None
    from ..personas import PersonaStore

    try:
        return PersonaStore(db).get(persona_key).adapter_id
    except NotFoundError:
        return None  # `train --persona` names the persona a run is for; it need not exist yet


def write_text_atomic(path: Path, text: str) -> None:
    """Write through a temporary file and a rename: a crash never leaves a half-written file behind."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def worker_command(run_id: str) -> list[str]:
    """The training worker's command line (``python -m …`` from source, the app itself when bundled); a run of
    several processes starts the launcher (:mod:`.launch`), which starts the worker once per process."""
    from ..processes import worker_command as command
    from .launch import LAUNCHER, WORKER, is_distributed

    spec = run_dir(run_id) / "spec.json"
    return command(LAUNCHER if is_distributed(json.loads(spec.read_text(encoding="utf-8"))) else WORKER, str(spec))


def mark_started(run_id: str, pid: int | None, db=None) -> None:
    db = _db(db)
    with db.session() as s:
        row = s.get(TrainingRun, run_id)
        row.status, row.pid, row.started_at = RunStatus.RUNNING, pid, utcnow()
        row.finished_at, row.error = None, None
        s.add(row)
    db.changes.emit("runs")


#: The worker's stderr (warnings, a traceback) when started by :func:`start` quietly, in the run's folder.
WORKER_LOG = "worker.log"


def start(run_id: str, *, db=None, quiet: bool = True) -> subprocess.Popen:
    """Start the worker; stdout carries the JSON events (also in events.jsonl).

    ``quiet``: the worker's stderr goes to the run's ``worker.log`` (read back when it dies without a final
    event) instead of the terminal.
    """
    get_run(run_id, db)
    stderr = open(run_dir(run_id) / WORKER_LOG, "ab") if quiet else None  # noqa: SIM115 - the child owns it
    try:
        proc = subprocess.Popen(worker_command(run_id), stdout=subprocess.PIPE, stderr=stderr, text=True,
                                bufsize=1, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    finally:
        if stderr is not None:
            stderr.close()
    mark_started(run_id, proc.pid, db)
    return proc


def read_events(run_id: str) -> list[Event]:
    """The run's events so far, typed; a line cut by ``kill -9`` (or anything else garbled) is left out."""
    path = run_dir(run_id) / "events.jsonl"
    if not path.exists():
        return []
    text = path.read_text(encoding="utf-8", errors="replace")
    return [ev for ev in map(parse, text.splitlines()) if ev is not None]


def _alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    try:  # a zombie child of ours counts as dead
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return True


def refresh(run_id: str, *, exited: bool | None = None, db=None) -> TrainingRun:
    """Fold events into the row. A worker gone without done/cancelled leaves the run ``failed``."""
    db = _db(db)
    events = read_events(run_id)
    with db.session() as s:
        row = s.get(TrainingRun, run_id)
        if row is None:
            raise NotFoundError(_("No training run '{id}'.").format(id=run_id),
                                hint=_("See 'aeon-studio runs list'."))
        if RunStatus(row.status).is_terminal and row.status != RunStatus.FAILED and not events:
            return row
        before = (row.status, row.adapter_id, row.metrics)
        metrics = dict(row.metrics or {})
        last: Event | None = None  # the newest final event, unless a later start/resume began the run again
        for ev in events:
            if isinstance(ev, Preflight):
                metrics["preflight"] = ev.fields()
            elif isinstance(ev, Step):
                metrics.update(step=ev.step, loss=ev.loss, tokens_per_s=ev.tokens_per_s)
            elif isinstance(ev, Eval):
                metrics["eval_loss"] = ev.eval_loss
                if ev.step == 0:
                    metrics.setdefault("eval_loss_start", ev.eval_loss)
            elif isinstance(ev, Start):
                metrics["total_steps"] = ev.total_steps
            elif isinstance(ev, Checkpoint):
                metrics["checkpoint"] = ev.path
            elif isinstance(ev, Checks):
                metrics["checks"] = {k: getattr(ev, k) for k in ("ok", "failures", "log", "skipped", "gguf")}
            if isinstance(ev, (*FINAL, Start, Resume)):
                last = ev
        dead = exited if exited is not None else not _alive(row.pid)
        if isinstance(last, Done):
            metrics.update(last.metrics)
            row.status = RunStatus.DONE
            if row.adapter_id is None and last.adapter:  # none on a machine other than node rank 0
                row.adapter_id = _register_adapter(s, row, last.adapter, metrics)
        elif isinstance(last, Cancelled):
            row.status = RunStatus.CANCELLED
        elif isinstance(last, Error):
            row.status, row.error = RunStatus.FAILED, f"{last.message}\n{last.hint or ''}".strip()
        elif row.status == RunStatus.RUNNING and dead:
            row.status = RunStatus.FAILED
            row.error = _("The training process stopped without finishing (killed or crashed).")
            tail = worker_log_tail(run_id)
            if tail:
                row.error += "\n" + tail
            if metrics.get("checkpoint"):
                row.error += " " + _("Resume it from its last checkpoint with 'aeon-studio runs resume {id}'.").format(
                    id=run_id)
        if RunStatus(row.status).is_terminal:  # how long its worker ran (every session), and what that cost
            from .cost import fold

            metrics = fold(metrics, events)
        if RunStatus(row.status).is_terminal and row.finished_at is None:
            row.finished_at = utcnow()
        row.metrics = metrics
        s.add(row)
    if (row.status, row.adapter_id, row.metrics) != before:  # list_runs refreshes running rows: no news, no echo
        db.changes.emit("runs", *(("adapters",) if row.adapter_id != before[1] else ()))
    return row


def worker_log_tail(run_id: str, lines: int = 8) -> str:
    """The last ``lines`` lines of the worker's stderr log (empty when there is none)."""
    try:
        text = (run_dir(run_id) / WORKER_LOG).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(text.strip().splitlines()[-lines:])


def _register_adapter(s, row: TrainingRun, path: str, metrics: dict[str, Any]) -> str:
    ids = set(s.exec(select(AdapterRow.id)).all())
    stem = f"{row.persona_key or 'aeon'}-{row.id.removeprefix('run-')}"
    aid, n = stem, 2
    while aid in ids:
        aid, n = f"{stem}-{n}", n + 1
    checks = metrics.get("checks") or {}
    # an adapter that failed its checks is kept (with why) but never offered: see export.adapters.activate
    status = "rejected" if checks.get("ok") is False else "ready"
    gguf = checks.get("gguf") if checks.get("ok") else None
    s.add(AdapterRow(id=aid, name=aid, base_model_id=row.base_model, path=path, run_id=row.id, status=status,
                     gguf_path=gguf if gguf and Path(gguf).is_file() else None,
                     dataset_name=row.dataset_name, method=row.method, persona_key=row.persona_key,
                     parent_id=metrics.get("parent_id"), dataset_hash=metrics.get("dataset_hash"),
                     spec={"r": row.spec.get("rank"), "lora_alpha": row.spec.get("alpha"),
                           "target_modules": row.spec.get("target_modules"), "preset": row.preset},
                     metrics={**{k: metrics.get(k) for k in ("final_loss", "first_loss", "eval_loss",
                                                              "eval_loss_start", "eval_examples", "steps",
                                                              "train_seconds", "tokens_per_s", "checks")},
                              "examples": (metrics.get("preflight") or {}).get("examples")}))
    return aid


def get_run(run_id: str, db=None) -> TrainingRun:
    with _db(db).session() as s:
        row = s.get(TrainingRun, run_id)
    if row is None:
        raise NotFoundError(_("No training run '{id}'.").format(id=run_id), hint=_("See 'aeon-studio runs list'."))
    return row


def list_runs(db=None) -> list[TrainingRun]:
    with _db(db).session() as s:
        rows = s.exec(select(TrainingRun).order_by(TrainingRun.created_at.desc())).all()
    return [refresh(r.id, db=db) if r.status == RunStatus.RUNNING else r for r in rows]


def cancel(run_id: str, db=None) -> TrainingRun:
    """Ask the worker to stop: it saves a checkpoint and reports ``cancelled``."""
    row = get_run(run_id, db)
    (run_dir(run_id) / "cancel").write_text("cancel")
    if row.status == RunStatus.RUNNING and _alive(row.pid):
        try:
            os.kill(row.pid, signal.SIGTERM)
        except OSError:
            pass
    elif row.status == RunStatus.QUEUED:
        with _db(db).session() as s:
            r = s.get(TrainingRun, run_id)
            r.status, r.finished_at = RunStatus.CANCELLED, utcnow()
            s.add(r)
        _db(db).changes.emit("runs")
    return get_run(run_id, db)


def prepare_resume(run_id: str, db=None) -> TrainingRun:
    """Mark a failed/cancelled run for resuming from its last checkpoint; start it with :func:`start`."""
    row = refresh(run_id, db=db)
    if row.status not in (RunStatus.FAILED, RunStatus.CANCELLED):
        raise ValidationError(_("Run {id} is {status}; only failed or cancelled runs can be resumed.").format(
            id=run_id, status=row.status), hint=_("Start a new run instead."))
    folder = run_dir(run_id)
    (folder / "cancel").unlink(missing_ok=True)
    spec = json.loads((folder / "spec.json").read_text(encoding="utf-8"))
    spec["resume"] = True
    write_text_atomic(folder / "spec.json", json.dumps(spec, indent=2))
    with _db(db).session() as s:
        r = s.get(TrainingRun, run_id)
        r.status, r.error, r.finished_at, r.spec = RunStatus.QUEUED, None, None, spec
        s.add(r)
    _db(db).changes.emit("runs")
    return r
