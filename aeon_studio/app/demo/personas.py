"""Demo data and the screenshot of the personas tab (scripts/screenshots.py); never imported by the running app."""

from __future__ import annotations

from aeon_studio.app.context import AppContext
from aeon_studio.app.personas.tab import PersonaTab
from aeon_studio.core.i18n import _


def render_persona(ctx: AppContext, out_dir, *, demo: bool = True):
    """Screenshot of the Persona tab (``persona_tab.png``): a custom persona and an edited built-in."""
    store = ctx.chat.personas
    if demo:
        from aeon_studio.core.personas import make_persona

        if "suporte" not in [p.key for p in store.list()]:
            store.add(make_persona(key="suporte", name="Suporte", description=_("Customer support, patient."),
                                   system_prompt=_("You are Aeon, a patient customer-support assistant."),
                                   temperature=0.4))
        store.update("formal", temperature=0.35)
    tab = PersonaTab(ctx)
    tab.resize(1180, 760)
    tab.show()
    tab.select("casual")
    from aeon_studio.app.shared.render import save_grab

    return save_grab(tab, out_dir, "persona_tab.png")
