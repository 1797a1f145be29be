"""The Personas tab's "Route by domain" box and the routed reply's meta line in the chat bubble."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from aeon_studio.app.chat.bubble import Bubble
from aeon_studio.app.context import AppContext
from aeon_studio.app.main_window import MainWindow

pytestmark = pytest.mark.gui


def test_routing_is_saved_with_the_persona(qtbot, smollm2_path, tmp_path):
    from aeon_studio.core.export.adapters import register_folder
    from aeon_studio.core.export.demo import random_peft_lora

    folder = random_peft_lora(tmp_path / "tec", smollm2_path, seed=1, base_model="smollm2-135m-instruct")
    aid = register_folder(folder, name="tec").id
    w = MainWindow(AppContext())
    qtbot.addWidget(w)
    tab = w.personas
    tab.select("casual")
    box = tab.routing_box
    assert list(box.combos) == ["technical", "support", "legal", "general"]
    assert not box.enabled.isChecked() and not box.combos["technical"].isEnabled()
    box.enabled.setChecked(True)
    combo = box.combos["technical"]
    combo.setCurrentIndex(combo.findData(aid))
    assert tab.save()
    p = tab.store.get("casual")
    assert p.route_by_domain and p.domain_adapters == {"technical": aid}
    tab.select("formal")
    assert not tab.routing_box.enabled.isChecked()
    tab.select("casual")
    assert tab.routing_box.combos["technical"].currentData() == aid


def test_bubble_meta_names_domain_and_adapter(qtbot):
    owner = SimpleNamespace()
    meta = {"domain": "legal", "route": {"adapter": None, "source": "base", "why": "keywords contrato"},
            "completion_tokens": 3, "elapsed_s": 0.5}
    msg = SimpleNamespace(id=1, meta=meta, persona_key="casual", model_id="smollm2", adapter_id=None, edited=False,
                          content="x", role="assistant")
    text = Bubble._meta_text(msg)
    assert "domain: legal" in text and "no adapter" in text
    msg.adapter_id, meta["domain"] = "tec-v1", "technical"
    text = Bubble._meta_text(msg)
    assert "domain: technical" in text and "adapter: tec-v1" in text and "no adapter" not in text
    del meta["route"]  # a persona without routing: no domain shown
    assert "domain" not in Bubble._meta_text(msg)


def test_demo_renders_the_routing_box(qtbot, tmp_path):
    from aeon_studio.app.demo import RENDERERS
    from aeon_studio.app.demo.routing import render_persona_routing

    assert ("routing", "render_persona_routing") in RENDERERS and ("routing", "render_routed_chat") in RENDERERS
    ctx = AppContext()
    path = render_persona_routing(ctx, tmp_path)
    assert path.stat().st_size > 10_000
    p = ctx.chat.personas.get("casual")
    assert p.route_by_domain and set(p.domain_adapters) == {"technical", "legal"}
