"""Demo data and the screenshot of the chat tab (scripts/screenshots.py); never imported by the running app."""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication

from aeon_studio.app.chat.tab import ChatTab
from aeon_studio.app.context import AppContext
from aeon_studio.core.i18n import _


def seed_chat_demo(ctx: AppContext) -> int:
    """A real conversation with the embedded model (two turns, the first reply rated 5); returns its id."""
    svc = ctx.chat
    conv = svc.new_conversation("casual")
    svc.store.rename_conversation(conv.id, _("Weekend plans"))
    first = None
    for text in (_("Hi! Can you suggest something fun to do this weekend?"),
                 _("Nice. And if it rains?")):
        reply = svc.send(conv.id, text, seed=7)
        reply.run()
        first = first or reply.message
    svc.store.rate(first.id, 5)
    other = svc.new_conversation("tecnico")
    svc.store.rename_conversation(other.id, _("Python list comprehension"))
    svc.store.add_message(other.id, "user", _("How do I square every number in a list?"))
    return conv.id


def render_chat(ctx: AppContext, out_dir, *, demo: bool = True):
    """Screenshot of the Chat tab (``chat_tab.png``) for scripts/screenshots.py and the README."""
    return grab_chat(ctx, seed_chat_demo(ctx) if demo else None, out_dir, "chat_tab.png", height=760)


def grab_chat(ctx: AppContext, conv_id: int | None, out_dir, name: str, *, height: int):
    """Screenshot ``name`` of the Chat tab showing conversation ``conv_id`` (if any) scrolled to its end."""
    tab = ChatTab(ctx)
    tab.resize(1180, height)
    tab.show()
    tab.refresh_conversations()
    if conv_id is not None:
        tab.open_conversation(conv_id)
    QGuiApplication.processEvents()
    tab.scroll.verticalScrollBar().setValue(tab.scroll.verticalScrollBar().maximum())
    from aeon_studio.app.shared.render import save_grab

    return save_grab(tab, out_dir, name)
