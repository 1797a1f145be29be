"""The per-domain outcome of the last scheduled run in the app: the "Automatic retraining" dialog lists each domain
(now in use / kept out / skipped, with why), the verdict banner adds them under the persona's verdict, in English
and in Portuguese."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from PySide6.QtWidgets import QWidget

from aeon_studio.core.training import schedule as sch
from aeon_studio.core.training.schedule import DomainResult

pytestmark = pytest.mark.gui

RESULTS = {"technical": DomainResult(outcome="promoted", message="The new version is better (perplexity 9.00 → "
                                     "7.00); it answers this domain now.", adapter="casual-2", examples=64),
           "legal": DomainResult(outcome="skipped", message="Only 12 examples from the last 30 days; it needs 50.",
                                 examples=12)}


def _ctx():
    from aeon_studio.app.context import AppContext

    return AppContext()


def test_dialog_lists_the_last_run_per_domain(qtbot):
    from aeon_studio.app.training.schedule_dialog import ScheduleDialog

    d = ScheduleDialog(_ctx(), persona="casual")
    qtbot.addWidget(d)
    assert d.domains.isHidden()  # no run yet: nothing to say per domain
    sch.record_result("casual", outcome="kept", message="Casual was not better.", domains=RESULTS)
    d.load()
    text = d.domains.text()
    assert not d.domains.isHidden() and text.startswith("Last run, per domain:")
    assert "• Legal — skipped: Only 12 examples" in text
    assert "• Technical — now in use: The new version is better" in text
    assert "Route by domain" in d.min_examples.toolTip()


def test_banner_adds_the_domains_to_the_verdict(qtbot):
    from aeon_studio.app.training.schedule import ScheduleRunner
    from aeon_studio.core.training.schedule_domains import as_json

    window = QWidget()
    window.resize(900, 600)
    qtbot.addWidget(window)
    r = ScheduleRunner(window, chat=SimpleNamespace(ctx=_ctx(), worker=None),
                       training=SimpleNamespace(process=SimpleNamespace(running=lambda: False)), check_ms=3_600_000)
    r.notify({"event": "scheduled", "persona": "casual", "outcome": "promoted", "message": "Casual improved.",
              "stopped": False, "domains": as_json(RESULTS)})
    lines = r.banner.text.text().splitlines()
    assert lines[0] == "Casual improved." and not lines[1] and lines[2].startswith("• Legal — skipped")
    assert lines[3].startswith("• Technical — now in use")


def test_portuguese(qtbot):
    from aeon_studio.app.training.schedule_dialog import ScheduleDialog
    from aeon_studio.core import i18n
    from aeon_studio.core.training import schedule_domains as sd

    sch.record_result("casual", outcome="kept", message="-", domains={
        "legal": DomainResult(outcome="skipped", message="-", examples=3)})
    i18n.set_language("pt_BR")
    try:
        line = sd.result_line("technical", DomainResult(outcome="skipped", message=sd.too_few(3, data_days=30,
                                                                                              minimum=50)))
        d = ScheduleDialog(_ctx(), persona="casual")
        qtbot.addWidget(d)
        text = d.domains.text()
    finally:
        i18n.set_language(None)
    assert line == "Técnico — ignorado: Só 3 exemplos dos últimos 30 dias; são necessários 50."
    assert text == "Última execução, por domínio:\n• Jurídico — ignorado: -"
