"""Demo data and the screenshots of routing by domain: the Personas tab's "Route by domain" box and a chat whose
replies were routed (scripts/screenshots.py); never imported by the running app."""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication

from aeon_studio.app.context import AppContext
from aeon_studio.core.i18n import _


def seed_routing_demo(ctx: AppContext) -> dict[str, str]:
    """Two small random LoRA adapters for the embedded model, and the Casual persona routed by domain
    (technical → one, legal → the other); returns ``{domain: adapter id}``."""
    import tempfile
    from pathlib import Path

    from aeon_studio.core.export.adapters import list_adapters, register_folder
    from aeon_studio.core.export.demo import random_peft_lora
    from aeon_studio.core.models import smollm2_path

    have = {a.name: a.id for a in list_adapters(ctx.db)}
    ids = {}
    for domain, name, seed in (("technical", "tecnico-code", 1), ("legal", "juridico-lgpd", 2)):
        if name not in have:
            folder = random_peft_lora(Path(tempfile.mkdtemp(prefix="aeon-demo-lora-")) / name, smollm2_path(),
                                      std=0.02, seed=seed, base_model="smollm2-135m-instruct")
            have[name] = register_folder(folder, name=name, db=ctx.db).id
        ids[domain] = have[name]
    ctx.chat.personas.update("casual", route_by_domain=True, domain_adapters=ids, max_tokens=64, memory_enabled=False)
    return ids


def render_persona_routing(ctx: AppContext, out_dir, *, demo: bool = True):
    """Screenshot of the Persona tab with the "Route by domain" box filled in (``persona_routing.png``)."""
    from aeon_studio.app.personas.tab import PersonaTab
    from aeon_studio.app.shared.render import save_grab

    if demo:
        seed_routing_demo(ctx)
    tab = PersonaTab(ctx)
    tab.resize(1180, 860)
    tab.show()
    tab.select("casual")
    QGuiApplication.processEvents()
    return save_grab(tab, out_dir, "persona_routing.png")


def render_routed_chat(ctx: AppContext, out_dir, *, demo: bool = True):
    """Screenshot of a chat whose replies were routed by domain (``chat_routed.png``): a technical question, a
    legal one and small talk, each reply's meta line naming its domain and adapter."""
    from aeon_studio.app.demo.chat import grab_chat

    conv_id = None
    if demo:
        seed_routing_demo(ctx)
        svc = ctx.chat
        conv = svc.new_conversation("casual")
        svc.store.rename_conversation(conv.id, _("Routed by domain"))
        for text in (_("My Python code throws an import error. How do I fix it?"),
                     _("Does my contract need to follow the LGPD?"),
                     _("Good morning! How are you?")):
            svc.send(conv.id, text, seed=len(text)).run()  # one seed per message: a tiny model otherwise echoes
        conv_id = conv.id
    return grab_chat(ctx, conv_id, out_dir, "chat_routed.png", height=860)
