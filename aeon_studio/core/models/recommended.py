"""A short, curated list of small chat models that answer well in Portuguese (and English).

The embedded SmolLM2-135M speaks English only; these are the next step up that still run on a laptop's CPU.
Each names a public GGUF repository (not gated) and its Q4_K_M file; sizes are the Hub's, rounded, and the RAM
need comes from :func:`.hub.ram_needed`, so the list and the check before a download agree.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..i18n import N_, _
from .hub import ram_needed

MB = 1000 ** 2


@dataclass(frozen=True)
class Recommended:
    """One suggested model: where it is on the Hub and what it costs."""

    name: str
    repo: str
    filename: str
    quant: str
    size: int  # bytes of the GGUF file (about)
    note_text: str  # untranslated; see :attr:`note`
    license: str

    @property
    def ram(self) -> int:
        """Bytes of memory needed to chat with it."""
        return ram_needed(self.size)

    @property
    def note(self) -> str:
        return _(self.note_text)


RECOMMENDED: tuple[Recommended, ...] = (
    Recommended("Qwen2.5 0.5B Instruct", "Qwen/Qwen2.5-0.5B-Instruct-GGUF", "qwen2.5-0.5b-instruct-q4_k_m.gguf",
                "Q4_K_M", 491 * MB, N_("Smallest: quick on any computer, simple Portuguese."), "Apache-2.0"),
    Recommended("Qwen2.5 1.5B Instruct", "Qwen/Qwen2.5-1.5B-Instruct-GGUF", "qwen2.5-1.5b-instruct-q4_k_m.gguf",
                "Q4_K_M", 1117 * MB, N_("Best Portuguese of these; needs a recent computer."), "Apache-2.0"),
    Recommended("Gemma 3 1B it", "ggml-org/gemma-3-1b-it-GGUF", "gemma-3-1b-it-Q4_K_M.gguf",
                "Q4_K_M", 806 * MB, N_("Good Portuguese, long context (32K)."), "Gemma"),
    Recommended("Llama 3.2 1B Instruct", "bartowski/Llama-3.2-1B-Instruct-GGUF", "Llama-3.2-1B-Instruct-Q4_K_M.gguf",
                "Q4_K_M", 808 * MB, N_("Solid all-rounder; Portuguese is among its official languages."),
                "Llama 3.2"),
)
