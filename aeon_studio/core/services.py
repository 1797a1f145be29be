"""The one place that wires the core's services together.

The chat service knows nothing about memory or adapters: it takes its prompt hooks, reply hooks and
adapter resolver as constructor arguments. This module passes the real ones in, so the GUI context,
the :class:`~aeon_studio.core.assistant.Assistant` API and every CLI command chat the same way.
Modules below (chat, memory, export) never import this one, so the arrows keep pointing down.
"""

from __future__ import annotations

from .chat.service import ChatService
from .domains import classify
from .export.adapters import resolve_lora_gguf
from .memory.hook import memory_prompt_hook, memory_reply_hook
from .storage import Database


def classify_domain(text: str) -> tuple[str, str]:
    """The chat's domain classifier: ``(domain, what decided it)`` with the app's keywords and examples."""
    c = classify(text)
    return c.domain, c.explain()


def build_chat_service(db: Database | None = None) -> ChatService:
    """A chat service with memory recall, remembered exchanges and persona adapters.

    Args:
        db: The database to use; the app's default database when None.

    Returns:
        A :class:`ChatService` whose replies recall and remember through long-term memory and
        answer through the persona's bound LoRA adapter (or, routed by domain, its adapter for each message's
        domain).
    """
    return ChatService(db, prompt_hooks=(memory_prompt_hook,), reply_hooks=(memory_reply_hook,),
                       adapter_resolver=resolve_lora_gguf, domain_classifier=classify_domain)
