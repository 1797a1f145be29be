"""Which GGUF models can be the base of a retrain, and the message for those that cannot.

Training loads a GGUF through transformers (``from_pretrained(..., gguf_file=...)``, dequantized), which reads
only some architectures; the LoRA presets then target ``q_proj``/``v_proj`` (and the other attention and MLP
projections), which models with fused projections (phi3's ``qkv_proj``) or no attention (mamba) do not have.
The set below is transformers' GGUF list (``GGUF_SUPPORTED_ARCHITECTURES``) cut to the decoder-only models
with those projection names; a test keeps it inside transformers' list. It is a constant, not a lookup in
transformers, because importing that module takes ~3 s and ``models list`` must stay instant.
"""

from __future__ import annotations

from ..errors import ModelError
from ..i18n import _

#: ``general.architecture`` values (as llama.cpp writes them) that training loads and the presets fit.
TRAINABLE_ARCHITECTURES: frozenset[str] = frozenset({
    "llama", "mistral", "qwen2", "qwen3", "gemma2", "gemma3", "stablelm", "starcoder2",
})


def is_trainable(architecture: str | None) -> bool | None:
    """Whether a model of ``architecture`` can be retrained; ``None`` when the architecture is unknown."""
    if not architecture or architecture == "unknown":
        return None
    return architecture in TRAINABLE_ARCHITECTURES


def check_trainable(architecture: str | None, *, where: str) -> None:
    """Raise :class:`ModelError` when a model of ``architecture`` (file or model ``where``) cannot be trained.

    Raised before the ~minute of dequantizing that would end in transformers' own, vaguer error.
    """
    if is_trainable(architecture) is False:
        raise ModelError(
            _("{where} is a '{arch}' model, which training cannot load (it reads these GGUF architectures: "
              "{known}).").format(where=where, arch=architecture, known=", ".join(sorted(TRAINABLE_ARCHITECTURES))),
            hint=_("Chat with it as it is, or pick a base model marked trainable in 'aeon-studio models list' "
                   "(Qwen2.5, Llama 3.2 and Gemma 3 are)."),
        )

