"""Training backends: ``peft`` (transformers + PEFT, CPU or GPU) and ``unsloth`` (CUDA only).

A backend only decides how the model is loaded; both then train through :func:`..methods.train`.
"""

from __future__ import annotations


def cuda_available() -> bool:
    try:
        import torch

        return bool(torch.cuda.is_available())
    except Exception:  # noqa: BLE001
        return False


def bf16_supported() -> bool:
    """Whether training runs in bf16: on a CUDA GPU that supports it; never on CPU (there fp32 is ~15× faster)."""
    import torch

    return bool(torch.cuda.is_available() and torch.cuda.is_bf16_supported())


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
