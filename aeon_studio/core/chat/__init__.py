from .engine import ChatEngine, ChatParams, ChatStream, get_engine, unload_engines
from .service import ChatService, Reply, register_prompt_hook, set_adapter_resolver

__all__ = ["ChatEngine", "ChatParams", "ChatStream", "get_engine", "unload_engines", "ChatService", "Reply",
           "register_prompt_hook", "set_adapter_resolver"]
