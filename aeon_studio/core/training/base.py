"""Base-model loading for training: a transformers folder or a GGUF, dequantized once and cached."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

from ..errors import ModelError
from ..i18n import _
from ..settings import get_settings


def resolve_base(base: str) -> Path:
    """A transformers folder, or a GGUF path (a registry id is resolved through the model registry)."""
    p = Path(base).expanduser()
    if p.is_dir() and (p / "config.json").exists():
        return p
    if p.is_file() and p.suffix == ".gguf":
        return p.resolve()
    from ..models import ModelRegistry

    return ModelRegistry().resolve_path(base)


def cached_dir(gguf: Path) -> Path:
    st = gguf.stat()
    key = hashlib.sha1(f"{gguf.resolve()}:{st.st_size}:{int(st.st_mtime)}".encode()).hexdigest()[:12]
    return get_settings().cache_dir / "hf-models" / f"{gguf.stem}-{key}"


def ensure_hf_folder(base: str) -> Path:
    """Folder with safetensors + tokenizer for ``base``; a GGUF is dequantized once (~40 s) and cached."""
    src = resolve_base(base)
    if src.is_dir():
        return src
    out = cached_dir(src)
    if (out / "config.json").exists() and (out / ".complete").exists():
        return out
    from ..models.registry import check_gguf_trainable

    check_gguf_trainable(src)  # a clear message now rather than transformers' after loading it
    from transformers import AutoModelForCausalLM, AutoTokenizer, GgufConfig

    tmp = out.with_name(out.name + f".tmp{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        tok = AutoTokenizer.from_pretrained(str(src.parent), gguf_file=src.name)
        model = AutoModelForCausalLM.from_pretrained(
            str(src.parent), gguf_file=src.name, quantization_config=GgufConfig(dequantize=True))
    except Exception as exc:  # noqa: BLE001 - transformers raises many types
        raise ModelError(_("Cannot load {path} for training: {err}").format(path=src, err=exc),
                         hint=_("Training needs a GGUF of a supported architecture (llama, qwen2, gemma3…) "
                                "or a transformers folder.")) from exc
    model.save_pretrained(str(tmp), safe_serialization=True)
    tok.save_pretrained(str(tmp))
    (tmp / ".complete").write_text("ok")
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)
    return out


def load_base(base: str):
    """(model float32, tokenizer) ready for LoRA on CPU."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    folder = ensure_hf_folder(base)
    tok = AutoTokenizer.from_pretrained(str(folder))
    if tok.pad_token is None:
        tok.pad_token = tok.eos_token
    model = AutoModelForCausalLM.from_pretrained(str(folder), dtype=torch.float32)
    return model, tok, folder
