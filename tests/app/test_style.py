"""The one style sheet (light/dark, following the palette or AEON_STUDIO_THEME) and coalesced chat streaming."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QLabel

from aeon_studio.app import style
from aeon_studio.app.chat.streaming import TextCoalescer

pytestmark = pytest.mark.gui

APP_DIR = Path(style.__file__).resolve().parent


@pytest.fixture
def themed(qapp):
    """Apply a theme for one test, then give the shared QApplication back its style, palette and sheet."""
    saved = (qapp.style().name(), QPalette(qapp.palette()), qapp.styleSheet(), qapp.property(style.THEME_PROPERTY))

    def apply(theme):
        return style.apply_style(qapp, theme)

    yield apply
    name, palette, sheet, prop = saved
    qapp.setStyleSheet(sheet)
    qapp.setStyle(name)
    qapp.setPalette(palette)
    qapp.setProperty(style.THEME_PROPERTY, prop)


# -- the sheet and its themes ---------------------------------------------------------------------------------
def test_no_inline_style_sheets_in_the_app():
    """Colours live in resources/style, not in widgets: only style.py sets a sheet (the app's one)."""
    offenders = [f"{p.relative_to(APP_DIR)}:{i}" for p in APP_DIR.rglob("*.py") if p.name != "style.py"
                 for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if "setStyleSheet(" in line]
    assert offenders == []


@pytest.mark.parametrize("theme", style.THEMES)
def test_every_token_is_defined_in_both_themes(theme):
    assert set(style.theme_colours("light")) == set(style.theme_colours("dark"))
    sheet = style.style_sheet(theme)
    assert "@" not in sheet and "QFrame#bubble_assistant" in sheet
    for value in re.findall(r"#[0-9a-fA-F]{3,8}\b", sheet):
        assert QColor(value).isValid()


def _contrast(a: str | QColor, b: str | QColor) -> float:
    def lum(c: QColor) -> float:
        def ch(v: float) -> float:
            return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4
        return 0.2126 * ch(c.redF()) + 0.7152 * ch(c.greenF()) + 0.0722 * ch(c.blueF())

    hi, lo = sorted((lum(QColor(a)), lum(QColor(b))), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@pytest.mark.parametrize("theme", style.THEMES)
def test_text_stays_readable_on_its_backgrounds(theme):
    """Every text colour against the window and the reply bubble: at least the light theme's original contrast."""
    c = style.theme_colours(theme)
    window = "#efefef" if theme == "light" else style._themes()["dark"]["palette"]["Window"]
    for bg in (window, c["bubble_assistant"], c["card"]):
        for token in ("text_muted", "text_hint", "text_error", "text_warning"):
            assert _contrast(c[token], bg) >= 4.0, (token, bg)
        assert _contrast(c["text_faint"], bg) >= 3.0, bg
    assert _contrast(c["warning_box_text"], c["warning_box"]) >= 7.0
    if theme == "dark":  # the palette's text on the dark fills
        text = style._themes()["dark"]["palette"]["WindowText"]
        for fill in ("bubble_user", "bubble_assistant", "banner", "card"):
            assert _contrast(text, c[fill]) >= 7.0, fill


# -- choosing the theme ---------------------------------------------------------------------------------------
def test_forced_theme_reads_the_environment():
    assert style.forced_theme({"AEON_STUDIO_THEME": "Dark"}) == "dark"
    assert style.forced_theme({"AEON_STUDIO_THEME": "light"}) == "light"
    for value in ("", "system", "purple"):
        assert style.forced_theme({"AEON_STUDIO_THEME": value}) is None
    assert style.forced_theme({}) is None


def test_dark_palette_is_dark_and_light_is_not():
    assert style.palette_is_dark(style.theme_palette("dark"))
    assert not style.palette_is_dark(style.theme_palette("light"))


def test_follows_the_system_palette_unless_forced(themed, qapp, monkeypatch):
    monkeypatch.delenv(style.THEME_ENV, raising=False)
    system_dark = style.palette_is_dark(qapp.palette())
    assert themed(None) == ("dark" if system_dark else "light")
    monkeypatch.setenv(style.THEME_ENV, "dark")
    assert themed(None) == "dark"
    assert style.palette_is_dark(qapp.palette()) and qapp.property(style.THEME_PROPERTY) == "dark"
    assert style.theme_colours("dark")["bubble_assistant"] in qapp.styleSheet()
    # the palette is now dark: following the system gives the dark theme without forcing anything
    monkeypatch.delenv(style.THEME_ENV)
    assert themed(None) == "dark"


# -- widgets take their colours from the sheet ----------------------------------------------------------------
def _text_colour(widget) -> str:
    widget.ensurePolished()
    return widget.palette().color(widget.foregroundRole()).name()


@pytest.mark.parametrize("theme", style.THEMES)
def test_tones_and_stars_follow_the_theme(themed, qtbot, theme):
    themed(theme)
    colours = style.theme_colours(theme)
    label = QLabel("x")
    qtbot.addWidget(label)
    label.setProperty("tone", "error")
    assert _text_colour(label) == colours["text_error"]

    from aeon_studio.app.shared.rating import StarRating

    stars = StarRating(2)
    qtbot.addWidget(stars)
    assert [_text_colour(b) for b in stars.buttons[1:3]] == [colours["star_on"], colours["star_off"]]
    stars.set_value(4)  # a property changed after polish restyles at once
    assert [_text_colour(b) for b in stars.buttons[2:5]] == [colours["star_on"]] * 2 + [colours["star_off"]]


def test_a_bubble_is_painted_in_its_theme_colour(themed, qtbot):
    from aeon_studio.app.chat.bubble import Bubble

    for theme in style.THEMES:
        themed(theme)
        bubble = Bubble(None, "user", "Hello there")  # type: ignore[arg-type]
        qtbot.addWidget(bubble)
        bubble.resize(300, 60)
        image = bubble.grab().toImage()
        assert image.pixelColor(150, 4).name() == style.theme_colours(theme)["bubble_user"]


# -- streaming --------------------------------------------------------------------------------------------------
def test_coalescer_shows_the_first_piece_at_once_then_batches(qtbot):
    batches: list[str] = []
    c = TextCoalescer(batches.append, interval_ms=40)
    c.add("Hel")
    assert batches == ["Hel"]  # the first token is not delayed
    for piece in ("lo", ", ", "wor", "ld"):
        c.add(piece)
    assert batches == ["Hel"] and c.pending == "lo, world"
    qtbot.waitUntil(lambda: len(batches) == 2, timeout=1000)
    assert batches == ["Hel", "lo, world"]
    c.add("!")
    c.flush()
    assert "".join(batches) == "Hello, world!" and c.pending == ""


class _FakeReply:
    """A reply that yields fixed pieces, one per ``delay_s``, and stops when cancelled."""

    def __init__(self, pieces: list[str], delay_s: float = 0.0) -> None:
        self.pieces, self.delay_s, self.cancelled = pieces, delay_s, False

    def cancel(self) -> None:
        self.cancelled = True

    def __iter__(self):
        import time

        for p in self.pieces:
            if self.cancelled:
                return
            time.sleep(self.delay_s)
            yield p


def _chat_tab(qtbot):
    from aeon_studio.app.chat.tab import ChatTab
    from aeon_studio.app.context import AppContext

    ctx = AppContext()
    tab = ChatTab(ctx)
    qtbot.addWidget(tab)
    tab.show()
    return ctx, tab


def test_streamed_reply_shows_exactly_the_pieces_with_fewer_relabels(qtbot, monkeypatch):
    ctx, tab = _chat_tab(qtbot)
    pieces = [f"tok{i} " if i % 17 else "para\n" for i in range(300)]
    shown: list[str] = []
    monkeypatch.setattr(tab, "render_messages", lambda focus_id=None: shown.append(tab.stream_bubble.label.text()))
    tab._start(lambda: _FakeReply(pieces))
    bubble = tab.stream_bubble
    assert bubble.label.textInteractionFlags() == Qt.TextInteractionFlag.NoTextInteraction  # cheap while it streams
    relabels = []
    bubble.label.setText = lambda t, f=bubble.label.setText: (relabels.append(t), f(t))
    qtbot.waitUntil(lambda: tab.worker is None, timeout=10000)
    assert shown == ["".join(pieces)]  # identical to the stream, nothing lost at the end
    assert 0 < len(relabels) < len(pieces) // 3  # the pieces arrive faster than 30 ms: batched
    ctx.close()


def test_stop_keeps_every_piece_received(qtbot):
    ctx, tab = _chat_tab(qtbot)
    reply = _FakeReply([f"w{i} " for i in range(2000)], delay_s=0.002)
    tab._start(lambda: reply)
    bubble = tab.stream_bubble
    qtbot.waitUntil(lambda: len(bubble.label.text()) > 40, timeout=10000)
    tab.stop(wait=True)  # as when the window closes: the pending batch is shown before the worker is dropped
    text = bubble.label.text()
    assert reply.cancelled and tab.worker is None and tab.stream_text.pending == ""
    assert text and "".join(f"w{i} " for i in range(len(text.split()))) == text
    ctx.close()
