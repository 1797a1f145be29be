"""Domain routing: the adapter order, bad input, and the real chat swapping two LoRA GGUFs on SmolLM2."""

from __future__ import annotations

from pathlib import Path

import pytest

from aeon_studio.core.chat.routing import candidates, parse_mapping, route, set_routing
from aeon_studio.core.errors import NotFoundError, ValidationError
from aeon_studio.core.personas import Persona, PersonaStore


def persona(**kw) -> Persona:
    return Persona(key="p", name="P", route_by_domain=True, **kw)


def fixed(domain: str):
    return lambda text: (domain, f"because {domain}")


def test_order_domain_then_general_then_persona_then_base():
    p = persona(adapter_id="bound", domain_adapters={"technical": "tec", "general": "gen"})
    paths = {"tec": Path("/t.gguf"), "gen": Path("/g.gguf"), "bound": Path("/b.gguf")}
    r = route(p, "x", classify=fixed("technical"), resolve=paths.get)
    assert (r.domain, r.adapter_id, r.source, r.lora_path) == ("technical", "tec", "domain", Path("/t.gguf"))
    r = route(p, "x", classify=fixed("legal"), resolve=paths.get)
    assert (r.adapter_id, r.source) == ("gen", "general")
    r = route(persona(adapter_id="bound"), "x", classify=fixed("legal"), resolve=paths.get)
    assert (r.adapter_id, r.source) == ("bound", "persona")
    r = route(persona(), "x", classify=fixed("legal"), resolve=paths.get)
    assert (r.adapter_id, r.source, r.lora_path) == (None, "base", None)
    assert r.meta() == {"domain": "legal", "route": {"adapter": None, "source": "base", "why": "because legal"}}
    assert candidates(persona(adapter_id="gen", domain_adapters={"general": "gen"}), "legal") == [("general", "gen")]


def test_a_broken_adapter_is_skipped_with_a_notice():
    def resolve(aid):
        if aid == "tec":
            raise NotFoundError("No adapter called 'tec'.")
        return Path("/g.gguf")

    r = route(persona(domain_adapters={"technical": "tec", "general": "gen"}), "x", classify=fixed("technical"),
              resolve=resolve)
    assert (r.adapter_id, r.source) == ("gen", "general")
    assert r.notices and "tec" in r.notices[0]


def test_set_routing_refuses_unknown_domains_and_adapters():
    store = PersonaStore()
    known = ["technical", "support", "legal", "general"]
    with pytest.raises(ValidationError, match="Unknown domain 'cooking'.*\n.*technical, support"):
        set_routing(store, "casual", enabled=True, mapping={"cooking": "a"}, known_domains=known)
    with pytest.raises(ValidationError, match="No adapter called 'zz'"):
        set_routing(store, "casual", enabled=True, mapping={"legal": "zz"}, known_domains=known,
                    adapter_exists=lambda a: False)
    assert store.get("casual").route_by_domain is False  # nothing half-stored
    p = set_routing(store, "casual", enabled=True, mapping={"legal": "a", "general": "b"}, known_domains=known)
    assert p.route_by_domain and p.domain_adapters == {"legal": "a", "general": "b"}
    p = set_routing(store, "casual", mapping={"legal": None}, known_domains=known)
    assert p.route_by_domain and p.domain_adapters == {"general": "b"}
    with pytest.raises(ValidationError, match="DOMAIN=ADAPTER"):
        parse_mapping(["legal"])
    store.reset("casual")
    assert store.get("casual").domain_adapters == {}


@pytest.mark.model
@pytest.mark.slow  # four short replies on 2 cores: ~40-90 s
def test_chat_routes_each_message_to_its_domain_adapter_without_reloading(smollm2_path, tmp_path, capsys):
    import json

    from aeon_studio.core.cli.main import main
    from aeon_studio.core.chat import ChatService
    from aeon_studio.core.chat.engine import _cached
    from aeon_studio.core.export.adapters import register_folder, resolve_lora_gguf
    from aeon_studio.core.export.demo import random_peft_lora
    from aeon_studio.core.services import classify_domain

    ids = {}
    for name, seed in (("tec", 1), ("leg", 2)):
        folder = random_peft_lora(tmp_path / name, smollm2_path, std=0.05, seed=seed,
                                  base_model="smollm2-135m-instruct")
        ids[name] = register_folder(folder, name=f"route-{name}").id
    store = PersonaStore()
    store.update("casual", max_tokens=4, system_prompt="Be brief.", memory_enabled=False, route_by_domain=True,
                 domain_adapters={"technical": ids["tec"], "legal": ids["leg"]})
    service = ChatService(adapter_resolver=resolve_lora_gguf, domain_classifier=classify_domain)
    conv = service.new_conversation("casual")

    seen = []
    for text, domain, adapter in (("My Python code throws an error", "technical", ids["tec"]),
                                  ("O contrato respeita a LGPD?", "legal", ids["leg"]),
                                  ("Good morning!", "general", None),
                                  ("Install the server again", "technical", ids["tec"])):
        reply = service.send(conv.id, text, seed=1)
        reply.run()
        engine = next(iter(_cached.values()))
        seen.append(engine.llm)
        assert reply.message.adapter_id == adapter
        assert reply.message.meta["domain"] == domain
        assert reply.message.meta["route"]["adapter"] == adapter
        assert reply.message.meta["route"]["source"] == ("base" if adapter is None else "domain")
        expected = resolve_lora_gguf(adapter).resolve() if adapter else None
        assert engine.lora_path == expected
    # One Llama object for the whole conversation: the adapters were swapped, the base never reloaded.
    assert len(_cached) == 1 and all(llm is seen[0] for llm in seen)

    # `chat --once --json` reports the domain and the adapter (same process: the same engine, swapped again).
    capsys.readouterr()
    assert main(["chat", "--once", "O contrato respeita a LGPD?", "--persona", "casual", "--json", "--seed", "1"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["domain"], out["adapter"], out["route"]["source"]) == ("legal", ids["leg"], "domain")
    assert next(iter(_cached.values())).llm is seen[0]

    # A persona without routing on the same engine answers with the bare model again.
    store.update("formal", max_tokens=4, system_prompt="Be brief.")
    plain = service.new_conversation("formal")
    reply = service.send(plain.id, "My Python code throws an error", seed=1)
    reply.run()
    assert reply.message.adapter_id is None and "domain" not in reply.message.meta
    assert next(iter(_cached.values())).lora_path is None
