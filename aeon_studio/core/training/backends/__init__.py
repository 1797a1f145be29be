"""Training backends: ``peft`` (CPU or GPU, plain PyTorch loop) and ``unsloth`` (CUDA only)."""

from __future__ import annotations


def cuda_available() -> bool:
    try:
        import torch

        return bool(torch.cuda.is_available())
    except Exception:  # noqa: BLE001
        return False


def select_backend(name: str, *, has_cuda: bool | None = None) -> str:
    """``auto`` picks unsloth only when CUDA is there and unsloth is installed, else peft."""
    if name != "auto":
        return name
    if has_cuda is None:
        has_cuda = cuda_available()
    if has_cuda:
        import importlib.util

        if importlib.util.find_spec("unsloth") is not None:
            return "unsloth"
    return "peft"
