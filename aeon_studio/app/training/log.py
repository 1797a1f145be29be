"""Training tab log: one readable line per worker event (the same JSON events the CLI and the tests read)."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from PySide6.QtGui import QFontDatabase, QTextCursor
from PySide6.QtWidgets import QPlainTextEdit, QWidget

from aeon_studio.app.evaluation.numbers import number
from aeon_studio.core.i18n import _, ngettext
from aeon_studio.core.training.events import (Cancelled, Checkpoint, Done, Error, Eval, Event, Preflight, Resume, Start,
                                     Step, parse)


def fmt_duration(seconds: float | None) -> str:
    """``"42 s"``, ``"3 min 05 s"`` or ``"1 h 02 min"``; empty for ``None``."""
    if not isinstance(seconds, (int, float)):
        return ""
    s = max(0, int(round(seconds)))
    if s < 60:
        return _("{s} s").format(s=s)
    if s < 3600:
        return _("{m} min {s:02d} s").format(m=s // 60, s=s % 60)
    return _("{h} h {m:02d} min").format(h=s // 3600, m=s % 3600 // 60)


def _count(value: Any) -> int:
    """The number ngettext picks a form with; an unknown count ("?") reads as plural."""
    return value if isinstance(value, int) else 2


def _num(value: Any, digits: int = 4) -> str:
    """A number with the user's decimal separator ("0,2246" in pt_BR)."""
    return number(value, digits)


def metrics_text(metrics: dict[str, Any]) -> str:
    """The metrics of a ``done`` event (or a run row) as one short phrase."""
    parts = []
    if isinstance(metrics.get("first_loss"), (int, float)) and isinstance(metrics.get("final_loss"), (int, float)):
        parts.append(_("loss {a} → {b}").format(a=_num(metrics["first_loss"], 3), b=_num(metrics["final_loss"], 3)))
    if isinstance(metrics.get("eval_loss"), (int, float)):
        parts.append(_("loss on held-out examples {v}").format(v=_num(metrics["eval_loss"], 3)))
    if metrics.get("steps"):
        parts.append(ngettext("{n} step", "{n} steps", metrics["steps"]).format(n=metrics["steps"]))
    if isinstance(metrics.get("train_seconds"), (int, float)):
        parts.append(_("trained in {d}").format(d=fmt_duration(metrics["train_seconds"])))
    if metrics.get("tokens_per_s"):
        parts.append(_("{value} tokens/s").format(value=_num(metrics["tokens_per_s"], 0)))
    return " · ".join(parts)


def _or(value: Any, unknown: str = "?") -> Any:
    return unknown if value is None else value


def event_lines(ev: Event | Mapping, total: int = 0) -> list[str]:
    """Readable lines for one worker event, or its JSON object (an empty list for events the log does not show,
    and for anything that is not an event)."""
    ev = parse(ev)
    if isinstance(ev, Preflight):
        n, seq = ev.examples, _or(ev.max_seq_len)
        lines = [_("Pre-flight: {examples}, ~{tok} tokens · model {value} million parameters · batch {b} × {seq} · "
                   "RAM ~{ram} MB · estimate {s}").format(
            examples=ngettext("{n} example", "{n} examples", _count(n)).format(n=n), tok=ev.dataset_tokens,
            value=_num(ev.params / 1e6, 1), b=_or(ev.batch_size),
            seq=ngettext("{n} token", "{n} tokens", _count(seq)).format(n=seq), ram=_or(ev.ram_estimate_mb),
            s=fmt_duration(ev.estimated_s) or "?")]
        lines += [_("  note: {text}").format(text=n) for n in ev.notes]
        return lines
    if isinstance(ev, Start):
        t, n, e = ev.total_steps or "?", _or(ev.examples), ev.eval_examples or 0
        line = _("Training started: {steps} on {examples} ({held_out})").format(
            steps=ngettext("{n} step", "{n} steps", _count(t)).format(n=t),
            examples=ngettext("{n} example", "{n} examples", _count(n)).format(n=n),
            held_out=ngettext("{n} held out to check it", "{n} held out to check it", _count(e)).format(n=e))
        if ev.backend:
            line += " · " + _("backend {b}").format(b=ev.backend)
        if ev.resumed_from:
            line += " · " + _("resumed from step {s}").format(s=ev.resumed_from)
        return [line]
    if isinstance(ev, Resume):
        return [_("Resuming from the checkpoint of step {s}: {path}").format(s=ev.step, path=ev.checkpoint)]
    if isinstance(ev, Step):
        return [_("step {s}/{t} · epoch {e} · loss {loss} · {tps} tok/s · {eta} left").format(
            s=ev.step, t=total or "?", e=_num(ev.epoch, 2), loss=_num(ev.loss),
            tps=_num(ev.tokens_per_s or 0, 0), eta=fmt_duration(ev.eta_s) or "?")]
    if isinstance(ev, Eval):
        return [_("step {s}: loss on held-out examples {loss}").format(s=ev.step, loss=_num(ev.eval_loss))]
    if isinstance(ev, Checkpoint):
        return [_("checkpoint at step {s}: {path}").format(s=ev.step, path=ev.path)]
    if isinstance(ev, Done):
        lines = [_("Done: adapter saved to {path}").format(path=ev.adapter)]
        text = metrics_text(ev.metrics)
        if text:
            lines.append("  " + text)
        return lines
    if isinstance(ev, Cancelled):
        return [_("Cancelled at step {s}; checkpoint {path}. Select the run and press Resume to continue.").format(
            s=ev.step, path=ev.checkpoint or "—")]
    if isinstance(ev, Error):
        lines = [_("Error ({kind}): {message}").format(kind=ev.kind or "?", message=ev.message)]
        if ev.hint:
            lines.append(_("  hint: {hint}").format(hint=ev.hint))
        return lines
    return []


class TrainingLog(QPlainTextEdit):
    """Read-only, bounded, monospace log of a run; steps are logged every ``step_every``-th time."""

    MAX_LINES = 2000

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setMaximumBlockCount(self.MAX_LINES)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        font.setPointSizeF(max(7.0, font.pointSizeF() - 1))
        self.setFont(font)
        self.setPlaceholderText(_("The log of the run appears here."))
        self.total = 0

    def add_line(self, text: str, when: float | None = None) -> None:
        stamp = time.strftime("%H:%M:%S", time.localtime(when)) + "  " if when else ""
        for line in text.splitlines() or [""]:
            self.appendPlainText(stamp + line)
        self.scroll_to_end()

    def scroll_to_end(self) -> None:
        self.moveCursor(QTextCursor.MoveOperation.End)
        self.verticalScrollBar().setValue(self.verticalScrollBar().maximum())

    def add_event(self, ev: Event | Mapping) -> None:
        """Log one event (or its JSON object); a ``step`` is logged for the first, the last and every Nth step
        (~20 per run)."""
        ev = parse(ev)
        if ev is None:
            return
        if isinstance(ev, Start):
            self.total = ev.total_steps or 0
        if isinstance(ev, Step):
            every = max(1, self.total // 20) if self.total else 10
            if not (ev.step <= 1 or ev.step % every == 0 or (self.total and ev.step >= self.total)):
                return
        for line in event_lines(ev, self.total):
            self.add_line(line, ev.time)
