from .engine import ChatEngine, ChatParams, ChatStream, get_engine, unload_engines
from .service import AdapterResolver, ChatService, PromptHook, Reply, ReplyHook

__all__ = ["ChatEngine", "ChatParams", "ChatStream", "get_engine", "unload_engines", "AdapterResolver", "ChatService",
           "PromptHook", "Reply", "ReplyHook"]
