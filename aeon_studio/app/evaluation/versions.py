"""The versions table: one row per adapter version of a persona, with its metrics, verdict and active flag."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from aeon_studio.app.evaluation.data import Version
from aeon_studio.app.shared.table_model import Column, TableModel
from aeon_studio.core.i18n import N_, _, ngettext

#: Row role holding the version's adapter id.
ID_ROLE = int(Qt.ItemDataRole.UserRole) + 1


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def perplexity(m: dict[str, Any]) -> str:
    value = _number(m.get("perplexity"))
    return f"{value:.2f}" if value is not None else "—"


def golden(m: dict[str, Any]) -> str:
    total = _number(m.get("golden_total"))
    return f"{int(_number(m.get('golden_passed')) or 0)}/{int(total)}" if total else "—"


def bleu_chrf(m: dict[str, Any]) -> str:
    bleu, chrf = _number(m.get("bleu")), _number(m.get("chrf"))
    if bleu is None and chrf is None:
        return "—"
    return " / ".join("—" if v is None else f"{v:.1f}" for v in (bleu, chrf))


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
    reasons = [str(r) for r in v.verdict.get("reasons") or []]
    return "\n".join(reasons) or None


class VersionsModel(TableModel):
    """Versions of one persona, newest first (rows are :class:`Version`)."""

    columns = (
        Column(N_("Version"), lambda v: v.id),
        Column(N_("Created"), lambda v: v.created_at.strftime("%Y-%m-%d %H:%M") if v.created_at else "—"),
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

    def set_rows(self, rows: list[Version]) -> None:
        if list(rows) == self.rows:
            return  # nothing new: keep the selection and the scroll position
        super().set_rows(rows)
