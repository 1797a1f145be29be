"""The versions table: one row per adapter version of a persona, with its metrics, verdict and active flag."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication

from aeon_studio.app.evaluation.data import Version, latest_eval_set
from aeon_studio.core.evaluation.reports import Measurement
from aeon_studio.app.evaluation.numbers import number, when
from aeon_studio.app.shared.table_model import Column, TableModel
from aeon_studio.core.i18n import N_, _, ngettext

#: Row role holding the version's adapter id.
ID_ROLE = int(Qt.ItemDataRole.UserRole) + 1
_FOREGROUND = Qt.ItemDataRole.ForegroundRole
_TOOLTIP = Qt.ItemDataRole.ToolTipRole


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def perplexity(m: dict[str, Any]) -> str:
    return number(_number(m.get("perplexity")), 2)


def golden(m: dict[str, Any]) -> str:
    total = _number(m.get("golden_total"))
    return f"{int(_number(m.get('golden_passed')) or 0)}/{int(total)}" if total else "—"


def bleu_chrf(m: dict[str, Any]) -> str:
    bleu, chrf = _number(m.get("bleu")), _number(m.get("chrf"))
    if bleu is None and chrf is None:
        return "—"
    return " / ".join(number(v, 1) for v in (bleu, chrf))


def degeneration(m: dict[str, Any]) -> str:
    counts = [_number(m.get(k)) for k in ("empty", "repetitive", "cut")]
    if all(c is None for c in counts):
        return "—"
    empty, repetitive, cut = (int(c or 0) for c in counts)
    parts = [ngettext("{n} empty", "{n} empty", empty).format(n=empty) if empty else "",
             ngettext("{n} repetitive", "{n} repetitive", repetitive).format(n=repetitive) if repetitive else "",
             ngettext("{n} cut", "{n} cut", cut).format(n=cut) if cut else ""]
    return ", ".join(p for p in parts if p) or _("none")


#: Status words of an adapter version (``AdapterRow.status``).
STATUS_TEXT = {"ready": N_("ready"), "rejected": N_("rejected (failed its checks)"),
               "not-promoted": N_("not promoted")}


def verdict(v: Version) -> str:
    """"promoted" / "kept the previous one" / "could not judge", and who decided."""
    if v.status == "rejected":
        return _(STATUS_TEXT["rejected"])
    if not v.verdict:
        return _("not judged")
    promoted = v.verdict.get("promoted")
    by_user = v.verdict.get("by") == "user"
    if promoted is None:
        return _("could not judge")
    if promoted:
        return _("promoted by you") if by_user else _("promoted by the gate")
    return _("kept the previous one")


def verdict_tooltip(v: Version) -> str | None:
    reasons = reasons_now(v)
    return "\n".join(reasons) or None


#: The column of the perplexity, the first of the metrics (Perplexity, Golden, BLEU / chrF, Degeneration).
PPL_COLUMN = 3


class VersionsModel(TableModel):
    """Versions of one persona, newest first (rows are :class:`Version`)."""

    columns = (
        Column(N_("Version"), lambda v: v.id),
        Column(N_("Created"), lambda v: when(v.created_at)),
        Column(N_("Parent"), lambda v: v.parent_id or _("base model")),
        Column(N_("Perplexity"), lambda v: perplexity(v.metrics), numeric=True),
        Column(N_("Golden"), lambda v: golden(v.metrics), numeric=True),
        Column(N_("BLEU / chrF"), lambda v: bleu_chrf(v.metrics), numeric=True),
        Column(N_("Degeneration"), lambda v: degeneration(v.metrics)),
        Column(N_("Verdict"), verdict, tooltip=verdict_tooltip),
        Column(N_("Active"), lambda v: "●" if v.active else "",
               tooltip=lambda v: _("The persona answers with this version.") if v.active else None),
    )
    row_roles = {ID_ROLE: lambda v: v.id}
    #: the metric columns (greyed for a version measured on other questions than the newest evaluation)
    METRIC_COLUMNS = range(PPL_COLUMN, PPL_COLUMN + 4)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.eval_set: str | None = None

    def set_rows(self, rows: list[Version]) -> None:
        if list(rows) == self.rows:
            return  # nothing new: keep the selection and the scroll position
        self.eval_set = latest_eval_set(list(rows))
        super().set_rows(rows)

    def comparable(self, v: Version) -> bool:
        """Whether ``v``'s numbers were scored on the same questions as the newest evaluation."""
        return v.eval_set is None or v.eval_set == self.eval_set

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if index.isValid() and index.column() in self.METRIC_COLUMNS and role in (_FOREGROUND, _TOOLTIP):
            v = self.row_at(index.row())
            if v is not None and not self.comparable(v):
                if role == _FOREGROUND:
                    return QApplication.palette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
                return _("Measured on different questions than the newest evaluation (the golden prompts or the "
                         "held-out examples changed since): not comparable. Evaluate now measures it again.")
            if v is not None and v.measured is not None and role == _TOOLTIP:
                return measured_text(v)
        return super().data(index, role)


def reasons_now(v: Version) -> list[str]:
    """The gate's reasons for ``v`` in the language shown now.

    Stored reasons are text in the language the gate ran in; when ``v``'s newest measurement is the gate's own
    (against its parent) they are rebuilt from its numbers, as long as that gives the same decision."""
    stored = [str(r) for r in v.verdict.get("reasons") or []]
    m = v.measured
    if m is None or v.verdict.get("by") != "gate" or m.against != (v.parent_id or "base"):
        return stored
    return _rejudged(m, v.verdict.get("promoted"), stored)


def latest_reasons(v: Version) -> list[str]:
    """The reasons of ``v``'s newest evaluation ("Evaluate now"), in the language shown now; [] when none."""
    m = v.measured
    if m is None or not m.verdict:
        return []
    return _rejudged(m, m.verdict.get("promoted"), [str(r) for r in m.verdict.get("reasons") or []])


def _rejudged(m: Measurement, promoted: bool | None, stored: list[str]) -> list[str]:
    """The gate's words for ``m``'s numbers now, or ``stored`` when they would not give the same decision."""
    if not m.metrics or not m.against_metrics:
        return stored
    from types import SimpleNamespace

    from aeon_studio.core.evaluation.gate import judge

    try:
        again = judge(SimpleNamespace(candidate=SimpleNamespace(**m.metrics),
                                      against=SimpleNamespace(**m.against_metrics)))
    except (AttributeError, TypeError):  # an older report without every metric: its words as stored
        return stored
    return list(again.reasons) if again.promoted == promoted else stored


def against_name(ref: str) -> str:
    """How the model a version was compared with reads ("the base model" or the version's id)."""
    return _("the base model") if ref == "base" else ref


def measured_text(v: Version) -> str:
    """When and against what ``v``'s numbers were measured, on how many questions."""
    m = v.measured
    if m is None:
        return ""
    held = ngettext("{n} held-out example", "{n} held-out examples", m.held_out).format(n=m.held_out)
    gold = ngettext("{n} golden prompt", "{n} golden prompts", m.golden).format(n=m.golden)
    return _("Measured {when} against {other}, on {held} and {golden}.").format(
        when=when(m.created_at), other=against_name(m.against) if m.against != v.id else _("itself"), held=held, golden=gold)
