"""An adapter's training metrics as table cells (final loss, eval loss, steps, examples, duration) and a tooltip
that lists every metric by name, instead of the raw JSON the worker stored."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aeon_studio.core.i18n import N_, _
from aeon_studio.app.training.log import fmt_duration

#: Readable names of the metrics the training backends and the evaluation write (others keep their key).
LABELS = {"final_loss": N_("Final loss"), "train_loss": N_("Training loss"), "loss": N_("Loss"),
          "first_loss": N_("First loss"), "eval_loss": N_("Eval loss"), "perplexity": N_("Perplexity"),
          "bleu": N_("BLEU"), "chrf": N_("chrF"), "steps": N_("Steps"), "examples": N_("Examples"),
          "train_seconds": N_("Duration"), "tokens_per_s": N_("Tokens per second")}


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _first(metrics: dict[str, Any], *keys: str) -> float | None:
    return next((v for v in (_number(metrics.get(k)) for k in keys) if v is not None), None)


def _loss(value: float | None) -> str:
    return f"{value:.3f}" if value is not None else "—"


def _count(value: float | None) -> str:
    return f"{int(value):,}" if value is not None else "—"


def final_loss(m: dict[str, Any]) -> str:
    return _loss(_first(m, "final_loss", "train_loss", "loss"))


def eval_loss(m: dict[str, Any]) -> str:
    return _loss(_first(m, "eval_loss"))


def steps(m: dict[str, Any]) -> str:
    return _count(_first(m, "steps", "step"))


def examples(m: dict[str, Any]) -> str:
    return _count(_first(m, "examples"))


def duration(m: dict[str, Any]) -> str:
    return fmt_duration(_first(m, "train_seconds")) or "—"


#: (column title, cell of a metrics dict), in table order.
COLUMNS: list[tuple[str, Callable[[dict[str, Any]], str]]] = [
    (N_("Final loss"), final_loss), (N_("Eval loss"), eval_loss), (N_("Steps"), steps),
    (N_("Examples"), examples), (N_("Duration"), duration)]


def _value_text(key: str, value: Any) -> str:
    if key == "train_seconds":
        return fmt_duration(_number(value))
    number = _number(value)
    if number is None:
        return str(value)
    if key in ("steps", "examples") or number.is_integer() and abs(number) >= 1000:
        return f"{int(number):,}"
    return f"{number:.4g}" if abs(number) < 1000 else f"{number:,.0f}"


def metrics_tooltip(metrics: dict[str, Any]) -> str:
    """Every metric on its own line ("Eval loss: 0.61"), known ones first; empty when there are none."""
    known = [k for k in LABELS if k in metrics]
    rest = sorted(k for k in metrics if k not in LABELS)
    lines = [_("{name}: {value}").format(name=_(LABELS[k]) if k in LABELS else k, value=_value_text(k, metrics[k]))
             for k in known + rest if metrics[k] is not None and not isinstance(metrics[k], (dict, list))]
    return "\n".join(lines)
