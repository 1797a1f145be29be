"""Token counting for imports: the default budget, and an exact counter from a GGUF's tokenizer.

Without a tokenizer, records are checked with :func:`.records.estimate_tokens`, which needs no model.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..i18n import _
from .errors import DatasetError


def default_max_tokens() -> int:
    """The longest record (in tokens) an import keeps when none is given: the chat's context size."""
    from ..settings import get_settings

    return int(get_settings().n_ctx)


def make_token_counter(model: str | Path) -> Callable[[list[dict[str, Any]]], int]:
    """Count tokens with the tokenizer of a GGUF (a model id or a path), loaded vocab-only (fast, no weights)."""
    from ..models.registry import ModelRegistry

    path = Path(model).expanduser()
    if not path.exists():
        path = ModelRegistry().resolve_path(str(model))
    try:
        from llama_cpp import Llama

        llm = Llama(model_path=str(path), vocab_only=True, verbose=False)
    except Exception as exc:  # noqa: BLE001 - llama.cpp raises bare exceptions for unusable files
        raise DatasetError(_("Cannot load the tokenizer of {path}: {error}").format(path=path, error=exc),
                           hint=_("Leave out --tokenizer to use the estimate.")) from exc

    def count(messages: list[dict[str, Any]]) -> int:
        return sum(len(llm.tokenize(m["content"].encode("utf-8"), add_bos=False, special=False)) + 8
                   for m in messages)

    return count
