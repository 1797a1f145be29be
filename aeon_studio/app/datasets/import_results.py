"""What the import dialog shows about a file and a run: the preview of the first conversations (problems in red),
a failed preview, the personal data that would be replaced, and the summary of a finished import.

:class:`ImportResults` is mixed into :class:`~aeon_studio.app.datasets.import_dialog.ImportDialog`; it fills the
widgets of :class:`~aeon_studio.app.datasets.import_pages.ImportPages` and reads nothing but what it is given and
the dialog's ``preview``.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QColor
from PySide6.QtWidgets import QTreeWidgetItem

from aeon_studio.core.datasets.formats.garbled import shown
from aeon_studio.core.datasets.formats.noise import dropped_text, kind_reason
from aeon_studio.core.datasets.placeholders import braces, message_placeholders
from aeon_studio.core.i18n import _, ngettext
from aeon_studio.app.datasets.readable import reply_summary, tool_names

RED = QColor("#b3261e")
#: Lines of a chat export that are left out on purpose (media placeholders, deleted messages): not problems.
GREY = QColor("#6b6b6b")
#: A conversation that still holds unfilled ``{{placeholders}}``: valid, but not what should be trained on.
AMBER = QColor("#8a5a00")
#: The chosen reply of a preference pair (the rejected one is red).
GREEN = QColor("#188038")
#: The column of the preview that shows a pair's rejected reply (hidden when the preview has no pair).
REJECTED_COL = 4


def kinds_text(pairs: int, bad: int, tools: int) -> str:
    """``Of these: 2 preference pairs, 1 bad example, 1 conversation with tool calls.`` (empty when all are 0)."""
    parts = []
    if pairs:
        parts.append(ngettext("{n} preference pair (chosen and rejected reply)",
                              "{n} preference pairs (chosen and rejected reply)", pairs).format(n=f"{pairs:,}"))
    if bad:
        parts.append(ngettext("{n} bad example (labelled undesirable, never trained on as a good answer)",
                              "{n} bad examples (labelled undesirable, never trained on as good answers)", bad)
                     .format(n=f"{bad:,}"))
    if tools:
        parts.append(ngettext("{n} conversation with tool calls", "{n} conversations with tool calls", tools)
                     .format(n=f"{tools:,}"))
    return _("Of these: {list}.").format(list="; ".join(parts)) if parts else ""


def _short(text: str, limit: int = 160) -> str:
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


class ImportResults:
    """Show a preview, a failure, the PII changes and the summary (a mixin of the import dialog)."""

    def _show_failure(self, err: BaseException) -> None:
        self.records.clear()
        item = QTreeWidgetItem(["", "", "", str(err)])
        item.setForeground(3, RED)
        self.records.addTopLevelItem(item)
        self.detected.setText("")
        self.notice.hide()
        self.status.setText(_("This file cannot be previewed with these options."))
        self.import_btn.setEnabled(False)

    def _show_preview(self, pv) -> None:
        info = self.importers.FORMATS.get(pv.format)
        label = _(info.label) if info is not None and getattr(info, "label", None) else pv.format
        self.detected.setText(_("detected: {fmt}").format(fmt=label) if self.current_format() is None
                              else "")
        notes = []
        if pv.encoding and pv.encoding.replace("-", "").lower() not in ("utf8", "ascii"):
            notes.append(_("Encoding: {enc} (converted to UTF-8).").format(enc=pv.encoding))
        if pv.repaired_mojibake:
            notes.append(_("Garbled accents (mojibake such as 'VOCÃŠ' or 'Ã©') were found and repaired."))
        self.notice.setText(" ".join(notes))
        self.notice.setVisible(bool(notes))
        self.records.clear()
        valid = 0
        left_out = 0
        dropped = 0
        pairs = bad = tools = 0
        for rec in pv.records:
            user = next((m.get("content", "") for m in rec.messages if m.get("role") == "user"), "")
            reply = reply_summary(rec.messages)  # tool calls in words, then the answer after their results
            if self.importers.is_dropped(rec):
                dropped += 1
                text = str(rec.extra.get("text", ""))
                item = QTreeWidgetItem([rec.ref, "–", _short(text), kind_reason(rec.extra["dropped"])])
                for col in (2, 3):
                    item.setForeground(col, GREY)
                item.setToolTip(2, text)
            elif self.importers.is_line_problem(rec, pv.format):
                left_out += 1
                text = shown(str(rec.extra.get("text", "")))
                item = QTreeWidgetItem([rec.ref, "–", text, rec.problem])
                item.setForeground(2, RED)
                item.setForeground(3, RED)
                item.setToolTip(2, text)
                item.setToolTip(3, rec.problem)
            elif rec.problem:
                item = QTreeWidgetItem([rec.ref, str(len(rec.messages)), _short(user),
                                        _("Rejected: {reason}").format(reason=rec.problem)])
                item.setForeground(3, RED)
                item.setToolTip(3, rec.problem)
            else:
                valid += 1
                item = QTreeWidgetItem([rec.ref, str(len(rec.messages)), _short(user), _short(reply)])
                item.setToolTip(2, _short(user, 1000))
                item.setToolTip(3, _short(reply, 1000))
                pairs, bad, tools = self._mark_kind(item, rec, reply, (pairs, bad, tools))
                unfilled = message_placeholders(rec.messages)
                if unfilled:  # would be trained on literally: the placeholder fields above say so too
                    for col in (2, 3):
                        item.setForeground(col, AMBER)
                    item.setToolTip(3, _("Still holds {names}: {text}").format(names=braces(unfilled),
                                                                                 text=_short(reply, 1000)))
            self.records.addTopLevelItem(item)
        for ref, text in getattr(pv, "passages", None) or []:
            item = QTreeWidgetItem([ref, "", _("passage"), _short(text)])
            item.setToolTip(3, _short(text, 1000))
            self.records.addTopLevelItem(item)
        self.records.setColumnHidden(REJECTED_COL, not pairs)
        # with pairs, the reply column holds the chosen reply; the rejected one is beside it
        self.records.headerItem().setText(3, _("Chosen reply or problem") if pairs else _("Reply or problem"))
        if not pv.records and not getattr(pv, "passages", None):
            self.records.addTopLevelItem(QTreeWidgetItem(["", "", _("No conversation found in the first lines."),
                                                          ""]))
        if pv.format == "document":
            self.status.setText(_("Documents are split into passages (for memory and question generation); "
                                  "they add no examples by themselves."))
        else:
            n = len(pv.records) - left_out - dropped
            status = ngettext("{valid} of the first {n} conversation is valid.",
                              "{valid} of the first {n} conversations are valid.", n).format(valid=valid, n=n)
            if left_out:
                status += " " + ngettext("{n} line is not part of any turn and will be left out (in red).",
                                         "{n} lines are not part of any turn and will be left out (in red).",
                                         left_out).format(n=left_out)
            if dropped:
                status += " " + ngettext(
                    "{n} line of the chat export (media, deleted messages, notices) will be left out (in grey).",
                    "{n} lines of the chat export (media, deleted messages, notices) will be left out (in grey).",
                    dropped).format(n=dropped)
            kinds = kinds_text(pairs, bad, tools)
            self.status.setText(status + (" " + kinds if kinds else ""))
        self.import_btn.setEnabled(self.job is None)
        self._show_pii()

    def _mark_kind(self, item: QTreeWidgetItem, rec, reply: str, counts: tuple[int, int, int]) -> tuple[int, int, int]:
        """Show what kind of record a valid one is: a pair (chosen in green, rejected beside it in red), a bad
        example (in red, said so) or a conversation with tools (their names in the tooltip); returns the counts
        ``(pairs, bad, tools)`` with this record added."""
        pairs, bad, tools = counts
        if rec.rejected is not None:
            pairs += 1
            item.setText(REJECTED_COL, _short(rec.rejected))
            item.setToolTip(REJECTED_COL, _("Rejected reply: {text}").format(text=_short(rec.rejected, 1000)))
            item.setForeground(3, GREEN)
            item.setForeground(REJECTED_COL, RED)
            item.setToolTip(3, _("Chosen reply: {text}").format(text=_short(reply, 1000)))
        if rec.label is False:
            bad += 1
            item.setText(3, _("✗ bad example: {reply}").format(reply=_short(reply)))
            item.setForeground(3, RED)
            item.setToolTip(3, _("Labelled undesirable: what the assistant should not say; never trained on as a "
                                 "good answer.") + "\n\n" + _short(reply, 1000))
        if rec.tools:
            tools += 1
            item.setToolTip(3, item.toolTip(3) + "\n\n" + _("Tools it may call: {names}").format(
                names=tool_names(rec.tools)))
        return pairs, bad, tools

    def _show_pii(self) -> None:
        on = self.pii.isChecked()
        self.pii_view.setVisible(on)
        self.pii_note.setVisible(on)
        self.clean_spacer.setVisible(not on)
        self.pii_view.clear()
        if not on or self.preview is None:
            return
        from aeon_studio.core.datasets.clean import pii_preview

        try:
            pairs = pii_preview([r for r in self.preview.records if not r.problem], limit=20)
        except Exception as err:  # noqa: BLE001
            self.pii_note.setText(str(err))
            return
        for before, after in pairs:
            item = QTreeWidgetItem([_short(before, 120), _short(after, 120)])
            item.setToolTip(0, before)
            item.setToolTip(1, after)
            self.pii_view.addTopLevelItem(item)
        self.pii_note.setText(_("Changes in the preview:") if pairs else
                              _("No personal data found in the preview; the whole file is checked on import."))

    def show_summary(self, s, *, cancelled: bool = False) -> None:
        self.pages.setCurrentIndex(1)
        if cancelled:
            title = _("Import cancelled; '{name}' was left as it was.")
        elif self.importers.kept_nothing(s):
            if not s.read:
                title = _("Nothing was imported: no conversation was found, so no dataset was created or changed.")
            elif s.rejected == s.read:
                title = _("Nothing was imported: every record was rejected, so no dataset was created or changed.")
            else:
                title = _("Nothing new: every record is already in '{name}'.")
        else:
            title = ngettext("Imported {n} example into '{name}'.", "Imported {n} examples into '{name}'.",
                             s.imported)
        self.result_title.setText(title.format(n=f"{s.imported:,}", name=s.name))
        read = _("Read {conversations} from {files}.").format(
            conversations=ngettext("{n} conversation", "{n} conversations", s.read).format(n=f"{s.read:,}"),
            files=ngettext("{n} file", "{n} files", s.files).format(n=s.files))
        skipped = _("Skipped {duplicates} and {near}.").format(
            duplicates=ngettext("{n} duplicate", "{n} duplicates", s.duplicates).format(n=f"{s.duplicates:,}"),
            near=ngettext("{n} near-duplicate", "{n} near-duplicates", s.near_duplicates).format(
                n=f"{s.near_duplicates:,}"))
        lines = [read, skipped,
                 ngettext("Rejected {r} record (see the problems below).",
                          "Rejected {r} records (see the problems below).", s.rejected).format(r=f"{s.rejected:,}")
                 if s.rejected else _("No record was rejected.")]
        kinds = kinds_text(getattr(s, "pairs", 0), getattr(s, "undesirable", 0), getattr(s, "tools", 0))
        if kinds:
            lines.append(kinds)
        if getattr(s, "dropped", None):
            lines.append(_("Left out of the chat export: {list}.").format(list=dropped_text(s.dropped)))
        if getattr(s, "filled", 0):
            lines.append(ngettext("Filled {names} in {n} example.", "Filled {names} in {n} examples.", s.filled).format(
                names=braces(s.placeholder_values), n=f"{s.filled:,}"))
        if s.pii_replacements:
            lines.append(ngettext("Replaced {n} piece of personal data.", "Replaced {n} pieces of personal data.",
                                  s.pii_replacements).format(n=f"{s.pii_replacements:,}"))
        if getattr(s, "passages", 0):
            lines.append(ngettext("Stored {n} document passage.", "Stored {n} document passages.", s.passages)
                         .format(n=f"{s.passages:,}"))
        if s.domains:
            from aeon_studio.app.datasets.model import DOMAIN_NAMES

            lines.append(_("Domains: {list}").format(list=", ".join(
                f"{_(DOMAIN_NAMES[d]) if d in DOMAIN_NAMES else d} {n:,}"
                for d, n in sorted(s.domains.items(), key=lambda kv: -kv[1]))))
        self.result_details.setText("\n".join(lines))
        self.result_warnings.setText("\n".join("⚠ " + w for w in s.warnings or []))
        self.result_warnings.setVisible(bool(s.warnings))
        rejects = s.rejects_path
        self.rejects_btn.setEnabled(bool(rejects) and Path(rejects).exists())
        self.rejects_btn.setToolTip(str(rejects or ""))
        self.problems.setPlainText("\n".join(s.problems or []) or _("None."))
        self.status.setText("")
