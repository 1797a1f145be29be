from .gguf_info import GGUFInfo, check_header, inspect_gguf
from .registry import GEMMA3_ID, SMOLLM2_ID, ModelInfo, ModelRegistry, smollm2_path

__all__ = ["GGUFInfo", "check_header", "inspect_gguf", "GEMMA3_ID", "SMOLLM2_ID", "ModelInfo",
           "ModelRegistry", "smollm2_path"]
