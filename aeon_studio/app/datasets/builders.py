"""The Datasets tab's builders: a dataset from the replies rated in the chat, an identity set, and the review
of questions generated from documents (with :func:`candidate_api`, which finds the core's review functions).

:class:`DatasetBuilders` is mixed into :class:`~aeon_studio.app.datasets.tab.DatasetTab`; each build runs as a
background job through the tab's ``_run`` and then shows the new dataset.
"""

from __future__ import annotations

import logging
from typing import Any

from aeon_studio.core.i18n import _, ngettext
from aeon_studio.app.shared.errors import show_error
from aeon_studio.app.datasets.dialogs import FromChatsDialog, IdentityDialog, ReviewDialog
from aeon_studio.app.datasets.jobs import DatasetJob

log = logging.getLogger(__name__)


def candidate_api(store: Any) -> dict[str, Any] | None:
    """The core's review functions for questions generated from documents, if this build has them.

    Looks for ``list_candidates`` / ``accept_candidate`` / ``reject_candidate`` on the store, then in
    :mod:`aeon_studio.core.datasets.questions`; ``None`` hides the Review button.
    """
    names = ("list_candidates", "accept_candidate", "reject_candidate")
    questions = _questions_module()
    for holder in (store, questions):
        if holder is not None and all(hasattr(holder, n) for n in names):
            api = {"list": getattr(holder, names[0]), "accept": getattr(holder, names[1]),
                   "reject": getattr(holder, names[2])}
            generate = getattr(holder, "generate_for_dataset", None) or getattr(questions, "generate_for_dataset",
                                                                                 None)
            if generate is not None:
                api["generate"] = generate
            return api
    return None


def _questions_module():
    try:
        from aeon_studio.core.datasets import questions
    except ImportError:
        return None
    return questions


class DatasetBuilders:
    """Build datasets from chats and identity answers, review generated questions (a mixin of the tab)."""

    def from_chats(self, *, options: dict[str, Any] | None = None) -> DatasetJob | None:
        if options is None:
            try:
                from aeon_studio.core.personas import PersonaStore

                personas = [(p.key, p.name) for p in PersonaStore(self.ctx.db).list()]
            except Exception:  # noqa: BLE001 - the dialog still works without the list
                log.exception("personas")
                personas = []
            dlg = FromChatsDialog(personas, parent=self)
            if dlg.exec() != FromChatsDialog.DialogCode.Accepted:
                return None
            options = dlg.options()
        name = options.pop("name") or "from-chats"

        def work(_progress, _cancel):
            return self.store.build_from_chats(name, **options)

        def done(summary) -> None:
            self.export_status.setText(_("'{name}': {examples} and {pairs} from {replies}.").format(
                name=name,
                examples=ngettext("{n} example", "{n} examples", summary.examples).format(n=summary.examples),
                pairs=ngettext("{n} preference pair", "{n} preference pairs", summary.pairs).format(n=summary.pairs),
                replies=ngettext("{n} rated reply", "{n} rated replies", summary.replies_seen).format(
                    n=summary.replies_seen)))
            self.reload_datasets(select=name)
            self.dataset_changed.emit(name)

        return self._run(work, done, _("Dataset from chats"))

    def identity_set(self, *, options: dict[str, str] | None = None) -> DatasetJob | None:
        if options is None:
            dlg = IdentityDialog(self)
            if dlg.exec() != IdentityDialog.DialogCode.Accepted:
                return None
            options = dlg.options()
        name = options.pop("name") or "identity"

        def work(_progress, _cancel):
            return self.store.build_identity(name, **options)

        def done(n) -> None:
            self.export_status.setText(ngettext("'{name}': {n} identity example.",
                                                "'{name}': {n} identity examples.", n).format(name=name, n=n))
            self.reload_datasets(select=name)
            self.dataset_changed.emit(name)

        return self._run(work, done, _("Identity set"))

    def review_questions(self) -> None:
        api = candidate_api(self.store)
        if api is None or not self.current:
            return
        try:
            dlg = ReviewDialog(api, self.current, self)
        except Exception as err:  # noqa: BLE001
            show_error(self, _("Review generated questions"), err)
            return
        dlg.exec()
        if dlg.accepted_count:
            self._rows_changed()
