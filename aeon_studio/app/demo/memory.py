"""Demo memories for screenshots: facts, past exchanges, an imported document, and a chat reply whose
memory sources are expanded (``chat_sources.png``).

The Memory tab passes its store in, so this module never imports the tab back.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QGuiApplication

from aeon_studio.core.i18n import N_, _
from aeon_studio.core.memory import MemoryItem, MemoryStore
from aeon_studio.app.context import AppContext
from aeon_studio.app.memory.store import memory_store
from aeon_studio.app.memory.tab import MemoryTab

DEMO_FACTS = [N_("My daughter Ana turns 7 on March 3 and she loves dinosaurs."),
              N_("I prefer short answers with a code example when we talk about Python."),
              N_("I am allergic to peanuts."),
              N_("Our team stand-up is at 9:30 every weekday.")]
DEMO_EXCHANGES = [
    (N_("You asked how to keep basil alive indoors; the answer was a sunny window and watering only when the top "
        "soil is dry."), N_("you said, conversation 4")),
    (N_("You said the trip to Lisbon is in May and you want to visit Sintra on a weekday."),
     N_("you said, conversation 9"))]
DEMO_DOCUMENT = N_("""# Party plan for Ana

Ana's 7th birthday party is on Saturday, March 8, at Grandma's garden from 3 pm.

## Theme
Dinosaurs: a paper volcano cake, a fossil dig in the sandbox, and green lemonade.

## Guests
Twelve children from her class, plus cousins Pedro and Lia. Ask parents about allergies: no peanuts.

## Shopping
Balloons, dinosaur masks, sand toys, paper plates, candles (7).
""")


def seed_memory_demo(ctx: AppContext, store: MemoryStore) -> list[MemoryItem]:
    """Facts, past exchanges and a small imported document, for screenshots; returns the new items.

    Args:
        ctx: The app context (the document is written under its home).
        store: The memory store the Memory tab shows.
    """
    items = [store.add(_(text), kind="fact") for text in DEMO_FACTS]
    items += [store.add(_(text), kind="exchange", source=_(src), source_ref=ref)
              for (text, src), ref in zip(DEMO_EXCHANGES, ("conversation:4/message:12", "conversation:9/message:31"))]
    docs = ctx.home / "documents"
    docs.mkdir(parents=True, exist_ok=True)
    doc = docs / "party-plan.md"
    doc.write_text(_(DEMO_DOCUMENT), encoding="utf-8")
    store.import_documents([doc])
    return items


def render_chat_sources(ctx: AppContext, out_dir, store: MemoryStore, items: list[MemoryItem] | None = None) -> Path:
    """A chat reply with its memory sources expanded (``chat_sources.png``).

    Args:
        ctx: The app context whose chat stores the demo conversation.
        out_dir: Where the PNG is written.
        store: The memory store the sources come from.
        items: Items seeded by :func:`seed_memory_demo`; the store's newest facts when None.
    """
    from aeon_studio.app.chat.tab import ChatTab

    facts = [i for i in items if i.kind == "fact"] if items else list(reversed(store.list(kind="fact", limit=50)))
    used = facts[:1] + store.list(kind="passage", limit=1) + facts[2:3]  # Ana, the party plan, the allergy
    svc = ctx.chat
    conv = svc.store.create_conversation("casual", ctx.settings.default_model, _("Ana's birthday"))
    question = _("Any ideas for Ana's birthday party? Something she'd really love.")
    svc.store.add_message(conv.id, "user", question, persona_key="casual", model_id=ctx.settings.default_model)
    answer = _("Since Ana loves dinosaurs, lean into your plan: the paper volcano cake and a fossil dig in the "
               "sandbox will be a hit. For the guests, keep every snack peanut-free, and add dinosaur masks as a "
               "take-home gift.")
    # What the chat's recall finds for the question (which part matched, the scores); the chosen items if nothing
    from aeon_studio.core.memory.hook import pack

    sources = pack(store.search(question, k=3, mode="hybrid"), 400) or [
        {"id": i.id, "text": i.text, "source": i.source, "kind": i.kind, "score": s}
        for i, s in zip(used, [0.71, 0.64, 0.48])]
    svc.store.add_message(conv.id, "assistant", answer, persona_key="casual", model_id=ctx.settings.default_model,
                          meta={"memory_sources": sources, "completion_tokens": 58, "elapsed_s": 0.9,
                                "first_token_s": 0.2})
    tab = ChatTab(ctx)
    tab.resize(1180, 760)
    tab.show()
    tab.refresh_conversations()
    tab.open_conversation(conv.id)
    QGuiApplication.processEvents()
    for bubble in tab.bubbles:
        if bubble.sources_toggle is not None:
            bubble.sources_toggle.setChecked(True)
    QGuiApplication.processEvents()
    tab.scroll.verticalScrollBar().setValue(tab.scroll.verticalScrollBar().maximum())
    from aeon_studio.app.shared.render import save_grab

    return save_grab(tab, out_dir, "chat_sources.png")


def render_memory(ctx: AppContext, out_dir, *, demo: bool = True) -> Path:
    """Screenshot of the Memory tab (``memory_tab.png``) and, with demo data, of a reply's sources."""
    from aeon_studio.app.demo.memory import render_chat_sources, seed_memory_demo

    store = memory_store(ctx)
    items = seed_memory_demo(ctx, store) if demo else []
    tab = MemoryTab(ctx)
    tab.resize(1180, 760)
    tab.show()
    tab.reload()
    if tab.model.rowCount():
        tab.select_row(0)
    QGuiApplication.processEvents()
    from aeon_studio.app.shared.render import save_grab

    out = save_grab(tab, out_dir, "memory_tab.png")
    if demo:
        render_chat_sources(ctx, out_dir, store, items)
    return out


def render_embedding_model_dialog(ctx: AppContext, out_dir) -> Path:
    """The Memory tab's "Change model…" dialog (``memory_model_dialog.png``), with two multilingual models as a
    user's Hugging Face cache would list them (no model is loaded; the entries are described, not read)."""
    from aeon_studio.app.memory.model_dialog import EmbeddingModelDialog
    from aeon_studio.app.shared.render import save_grab
    from aeon_studio.core.memory.embedding_models import EmbeddingModel, resolve_model

    shipped = resolve_model(None)
    cache = Path.home() / ".cache" / "huggingface" / "hub"
    models = [shipped,
              EmbeddingModel("intfloat/multilingual-e5-small", cache / "models--intfloat--multilingual-e5-small", 384,
                             "query: ", "passage: "),
              EmbeddingModel("sentence-transformers/paraphrase-multilingual-MiniLM-L12-v2",
                             cache / "models--sentence-transformers--paraphrase-multilingual-MiniLM-L12-v2", 384)]
    dialog = EmbeddingModelDialog(models, shipped.name, 128)
    dialog.list.setCurrentRow(1)
    dialog.resize(680, 420)
    dialog.show()
    QGuiApplication.processEvents()
    return save_grab(dialog, out_dir, "memory_model_dialog.png")
