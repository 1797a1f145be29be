"""Evaluation: frozen eval sets, golden prompts, metrics (perplexity, BLEU/chrF), the gate, the blind A/B arena.

Submodules load llama.cpp and sacrebleu lazily; importing this package is cheap.
"""

from .errors import EvaluationError

__all__ = ["EvaluationError"]
