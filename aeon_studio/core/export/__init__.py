"""Export: PEFT LoRA → llama.cpp LoRA GGUF, merged + quantized GGUF, checks, Ollama Modelfile and API.

Submodules import torch/peft lazily; importing this package is cheap.
"""

from .errors import ExportCheckError, ExportError

__all__ = ["ExportCheckError", "ExportError"]
