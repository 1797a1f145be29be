"""Typed training events: what the worker writes, and what every reader gets back through :func:`parse`.

The worker (:mod:`.worker`) writes one JSON object per line, flushed, to stdout and to ``<run>/events.jsonl``:
``{"event": NAME, "time": UNIX_SECONDS, ...fields}``. The run registry (:func:`.runs.refresh`), the CLI's
progress bar, the Training tab (its log and loss chart) and the chat's Retrain button all read those lines
through :func:`parse`, so a field is renamed here or nowhere.

The contract, in the order a run writes them (``?``: may be null; ``[opt]``: left out when unknown):

==========  =========================================================================================
preflight   params, examples, dataset_tokens, notes (list of str); [opt] ram_estimate_mb, ram_available_mb,
            batch_size, max_seq_len, probe_step_s, estimated_s (the worker writes them all). peft only.
resume      step, checkpoint: training goes on from that checkpoint (before ``start``).
start       total_steps?, examples, eval_examples; [opt] steps_per_epoch, train_tokens,
            trainable_params, resumed_from, backend.
step        step, epoch?, loss, lr?, tokens_per_s?, eta_s?
eval        step, eval_loss (step 0: the held-out loss before training).
checkpoint  step, path.
checks      ok (true / false / null when skipped) and either skipped (why), or failures (list of str),
            log (checks.json), gguf? (the LoRA GGUF, only when ok), checks (list of {check, ok, detail}).
cancelled   step?, checkpoint?                                                      (final)
done        adapter (folder; "" on a machine other than node rank 0), metrics, backend     (final)
error       kind (``rank_failed``: a process of a distributed run died), message, hint?   (final)
==========  =========================================================================================

A run ends with exactly one final event, unless its worker was killed, or a process of a distributed run died
and rank 0's error (a broken connection) is followed by the launcher's ``rank_failed`` (the last one counts);
:class:`RunStatus` is what the registry makes of that (``TrainingRun.status`` stores its value).
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from enum import StrEnum
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError


class RunStatus(StrEnum):
    """Lifecycle of a training run: queued → running → done | failed | cancelled (a failed or cancelled run
    goes back to queued when it is resumed)."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def is_terminal(self) -> bool:
        """True once the worker is gone: nothing changes the run any more unless it is resumed."""
        return self in (RunStatus.DONE, RunStatus.FAILED, RunStatus.CANCELLED)


class Event(BaseModel):
    """Base of every event: its name (``event``) and when it was written (``time``, Unix seconds).

    Built by the worker, the time is now; parsed from a line without one, it stays ``None``."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    event: str
    time: float | None = Field(default_factory=time.time)
    #: fields written only when they hold a value (the others are written even when null)
    OMIT_NONE: ClassVar[frozenset[str]] = frozenset()

    def _written(self, name: str, value: Any) -> bool:
        return value is not None or name not in self.OMIT_NONE

    def fields(self) -> dict[str, Any]:
        """The event's own fields as written (without ``event`` and ``time``)."""
        return {k: v for k, v in self.to_dict().items() if k not in ("event", "time")}

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of this event, keys in the order they are written."""
        out: dict[str, Any] = {}
        for name in type(self).model_fields:
            value = getattr(self, name)
            if self._written(name, value):
                out[name] = value
        return out

    def to_json(self) -> str:
        """One line of ``events.jsonl`` (UTF-8 text, no newline)."""
        return json.dumps(self.to_dict(), ensure_ascii=False, default=str)


class Preflight(Event):
    """Dataset and memory estimate before training, with what was lowered to fit (``notes``)."""

    event: Literal["preflight"] = "preflight"
    OMIT_NONE: ClassVar[frozenset[str]] = frozenset(
        {"ram_estimate_mb", "ram_available_mb", "batch_size", "max_seq_len", "probe_step_s", "estimated_s"})
    params: int
    examples: int
    dataset_tokens: int
    ram_estimate_mb: int | None = None
    ram_available_mb: int | None = None
    batch_size: int | None = None
    max_seq_len: int | None = None
    probe_step_s: float | None = None
    estimated_s: float | None = None
    notes: list[str] = Field(default_factory=list)


class Resume(Event):
    """Training goes on from the checkpoint of ``step``."""

    event: Literal["resume"] = "resume"
    step: int
    checkpoint: str


class Start(Event):
    """Training starts: how many steps (``None`` when the backend does not say) on how many examples."""

    event: Literal["start"] = "start"
    OMIT_NONE: ClassVar[frozenset[str]] = frozenset(
        {"steps_per_epoch", "train_tokens", "trainable_params", "resumed_from", "backend"})
    total_steps: int | None = None
    steps_per_epoch: int | None = None
    examples: int | None = None
    eval_examples: int | None = None
    train_tokens: int | None = None
    trainable_params: int | None = None
    resumed_from: int | None = None
    backend: str | None = None


class Step(Event):
    """One optimizer step: its training loss, and the speed and time left when known."""

    event: Literal["step"] = "step"
    step: int
    epoch: float | None = None
    loss: float
    lr: float | None = None
    tokens_per_s: float | None = None
    eta_s: float | None = None


class Eval(Event):
    """The loss on the held-out examples at ``step`` (0: before training)."""

    event: Literal["eval"] = "eval"
    step: int
    eval_loss: float


class Checkpoint(Event):
    """A checkpoint saved at ``step`` (a resume starts from the newest)."""

    event: Literal["checkpoint"] = "checkpoint"
    step: int
    path: str


class Checks(Event):
    """The adapter loaded in llama.cpp on the base GGUF and asked a few questions: may it be offered?

    ``ok`` is ``None`` when the checks were ``skipped`` (the base is not a GGUF); then only ``ok`` and
    ``skipped`` are written."""

    event: Literal["checks"] = "checks"
    OMIT_NONE: ClassVar[frozenset[str]] = frozenset({"skipped", "failures", "log", "checks"})
    ok: bool | None = None
    skipped: str | None = None
    failures: list[str] | None = None
    log: str | None = None
    gguf: str | None = None
    checks: list[dict[str, Any]] | None = None

    def _written(self, name: str, value: Any) -> bool:
        if name == "gguf":  # null when the checks failed, absent when they were skipped
            return self.skipped is None
        return super()._written(name, value)


class Cancelled(Event):
    """Final: the run stopped on request at ``step``; ``checkpoint`` is where a resume starts."""

    event: Literal["cancelled"] = "cancelled"
    step: int | None = None
    checkpoint: str | None = None


class Done(Event):
    """Final: the adapter folder and the run's metrics (first/final/eval loss, steps, speed…)."""

    event: Literal["done"] = "done"
    adapter: str
    metrics: dict[str, Any] = Field(default_factory=dict)
    backend: str | None = None


class Error(Event):
    """Final: what went wrong (``kind``: the error class, ``memory`` or ``not_implemented``) and what to do."""

    event: Literal["error"] = "error"
    kind: str | None = None
    message: str
    hint: str | None = None


#: Every event by its name.
EVENTS: dict[str, type[Event]] = {cls.model_fields["event"].default: cls for cls in (
    Preflight, Resume, Start, Step, Eval, Checkpoint, Checks, Cancelled, Done, Error)}
#: The events a run ends with (one of them, unless the worker was killed).
FINAL: tuple[type[Event], ...] = (Done, Cancelled, Error)


def parse(data: str | bytes | Mapping[str, Any] | Event | None) -> Event | None:
    """The typed event of one line of ``events.jsonl`` (or its decoded object; an event is returned as is).

    Anything else — a garbled line (cut by ``kill -9``), stray output, an unknown event or fields of the wrong
    type — gives ``None``; this never raises."""
    if isinstance(data, Event):
        return data
    if isinstance(data, (str, bytes, bytearray)):
        try:
            data = json.loads(data)
        except (ValueError, RecursionError):  # JSONDecodeError and bad UTF-8 are ValueErrors
            return None
    if not isinstance(data, Mapping):
        return None
    name = data.get("event")
    cls = EVENTS.get(name) if isinstance(name, str) else None
    if cls is None:
        return None
    try:
        return cls.model_validate({"time": None, **data})  # a line without a time keeps none
    except (ValidationError, TypeError):
        return None
