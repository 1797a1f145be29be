"""The exported Go TEMPLATE renders, for Ollama, exactly what the GGUF's own Jinja chat template renders.

Ollama's side is simulated as its server does it (server/routes.go, template/template.go): the Modelfile's
SYSTEM becomes a first "system" message when the conversation has none, consecutive messages of one role are
merged, and the TEMPLATE is executed with ``.Messages``. The Go template runs in a small renderer
(tests/core/ollama/gotemplate.py); the Jinja template through transformers' own chat-template rendering.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from transformers.utils.chat_template_utils import render_jinja_template

from aeon_studio.core.export.gguf_io import quick_read
from aeon_studio.core.export.ollama import OllamaSpec, default_system_prompt, modelfile_text, template_family
from tests.core.ollama.gotemplate import render
from tests.core.ollama.modelfile_parser import parse_modelfile

CONVERSATIONS = {
    "one user turn": [{"role": "user", "content": "Oi, tudo bem?"}],
    "with system": [{"role": "system", "content": "Responda em português."},
                    {"role": "user", "content": "Quem é você?"}],
    "multi-turn": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"},
                   {"role": "user", "content": "Tell me a joke.\nA short one."}],
    "multi-turn with system": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "2+2?"},
                               {"role": "assistant", "content": "4"}, {"role": "user", "content": "E 3+3?"}],
    "braces and quotes": [{"role": "user", "content": 'Write {{ .Role }} and """ literally; ação ✓'}],
}


def ollama_render(spec: OllamaSpec, template: str, messages: list[dict]) -> str:
    """What Ollama's chat endpoint renders for ``messages`` with the model's SYSTEM and TEMPLATE."""
    msgs = [dict(m) for m in messages]
    if spec.system and (not msgs or msgs[0]["role"] != "system"):
        msgs.insert(0, {"role": "system", "content": spec.system})
    collated: list[dict] = []
    for m in msgs:  # template.collate: consecutive messages of one role become one
        if collated and collated[-1]["role"] == m["role"]:
            collated[-1]["content"] += "\n\n" + m["content"]
        else:
            collated.append(m)
    system = "\n\n".join(m["content"] for m in collated if m["role"] == "system")
    return render(template, {"System": system,
                             "Messages": [{"Role": m["role"], "Content": m["content"]} for m in collated]})


def jinja_render(chat_template: str, messages: list[dict]) -> str:
    rendered, _masks = render_jinja_template([messages], chat_template=chat_template, add_generation_prompt=True,
                                             bos_token="", eos_token="")
    return rendered[0]


@pytest.fixture(scope="module")
def smollm2_template(smollm2_path) -> str:
    return quick_read(smollm2_path).kv["tokenizer.chat_template"]


def test_smollm2_default_system_prompt_is_found(smollm2_template):
    assert default_system_prompt(smollm2_template, "chatml") == (
        "You are a helpful AI assistant named SmolLM, trained by Hugging Face")


@pytest.mark.parametrize("name", list(CONVERSATIONS))
def test_go_template_renders_what_the_gguf_jinja_template_renders(smollm2_template, tmp_path, name):
    family = template_family(smollm2_template, "llama")
    spec = OllamaSpec("aeon", Path("m.gguf"), None, family,
                      default_system=default_system_prompt(smollm2_template, family))
    # The TEMPLATE as Ollama reads it from the written Modelfile, not the Python string.
    template = parse_modelfile(modelfile_text(spec, model_ref="./m.gguf", adapter_ref=None)).first("template")
    assert template == spec.template
    messages = CONVERSATIONS[name]
    assert ollama_render(spec, template, messages) == jinja_render(smollm2_template, messages)


def test_persona_system_prompt_replaces_the_default(smollm2_template):
    family = template_family(smollm2_template, "llama")
    spec = OllamaSpec("aeon", Path("m.gguf"), None, family, system="Você é o Aeon.\nSeja cordial.",
                      default_system=default_system_prompt(smollm2_template, family))
    user = [{"role": "user", "content": "Oi"}]
    expected = jinja_render(smollm2_template, [{"role": "system", "content": spec.system}] + user)
    assert ollama_render(spec, spec.template, user) == expected
    assert "SmolLM" not in expected


QWEN_LIKE = ("{%- if messages[0]['role'] == 'system' %}{{- '<|im_start|>system\\n' + messages[0]['content'] + "
             "'<|im_end|>\\n' }}{%- else %}{{- '<|im_start|>system\\nYou are {{Qwen}}, say \"\"\"hi\"\"\"\\nok"
             "<|im_end|>\\n' }}{%- endif %}{%- for message in messages %}{%- if not (message.role == 'system' "
             "and loop.first) %}{{- '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>' + "
             "'\\n' }}{%- endif %}{%- endfor %}{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}"
             "{%- endif %}")


@pytest.mark.parametrize("name", list(CONVERSATIONS))
def test_a_default_with_braces_and_triple_quotes_survives_the_modelfile(name):
    default = default_system_prompt(QWEN_LIKE, "chatml")
    assert default == 'You are {{Qwen}}, say """hi"""\nok'
    spec = OllamaSpec("aeon", Path("m.gguf"), None, "chatml", default_system=default)
    template = parse_modelfile(modelfile_text(spec, model_ref="./m.gguf", adapter_ref=None)).first("template")
    messages = CONVERSATIONS[name]
    assert ollama_render(spec, template, messages) == jinja_render(QWEN_LIKE, messages)


def test_no_default_when_the_template_adds_none():
    plain = ("{% for m in messages %}{{ '<|im_start|>' + m['role'] + '\\n' + m['content'] + '<|im_end|>\\n' }}"
             "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}")
    assert default_system_prompt(plain, "chatml") == ""
    assert default_system_prompt(None, "chatml") == ""
    assert default_system_prompt("{{ raise_exception('no') }}", "chatml") == ""
    assert default_system_prompt("<start_of_turn>", "gemma") == ""
    spec = OllamaSpec("aeon", Path("m.gguf"), None, "chatml")
    for messages in CONVERSATIONS.values():
        assert ollama_render(spec, spec.template, messages) == jinja_render(plain, messages)
