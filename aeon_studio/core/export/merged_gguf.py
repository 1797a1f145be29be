"""Merge a LoRA adapter into its base and write a standalone GGUF, then quantize it with llama.cpp.

The merge works in GGUF space: every base tensor is dequantized (``gguf.quants``), the adapter's
``alpha/r · B·A`` (already in llama.cpp's layout, see :mod:`.lora_gguf`) is added to the weights it
adapts, and the result is written as F16 (or Q8_0) with *all* of the base's metadata — tokenizer,
chat template, EOS/BOS ids — copied unchanged, so tokenization and stopping match the base exactly.
K-quants come from llama.cpp's own ``llama_model_quantize`` (exposed by llama-cpp-python).
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..i18n import _
from ..settings import get_settings
from .errors import ExportError
from .gguf_io import atomic_output, partial_name, quick_read, raw_kv_writer
from .lora_gguf import lora_deltas

log = logging.getLogger(__name__)

Progress = Callable[[float, str], None]

#: Output types the user can choose, and llama.cpp's file-type id for each.
QUANT_TYPES: dict[str, str] = {
    "Q4_K_M": "LLAMA_FTYPE_MOSTLY_Q4_K_M",
    "Q5_K_M": "LLAMA_FTYPE_MOSTLY_Q5_K_M",
    "Q8_0": "LLAMA_FTYPE_MOSTLY_Q8_0",
    "F16": "LLAMA_FTYPE_MOSTLY_F16",
}


#: Written into merged Gemma GGUFs whose base has no template (Gemma 3 270M is a base model): the
#: turn format the chat engine already uses for it, with a system prompt folded into the first turn
#: as Google's template does, so llama.cpp, Ollama and other tools chat with the tuned model correctly.
GEMMA_CHAT_TEMPLATE = (
    "{{ bos_token }}"
    "{%- if messages[0]['role'] == 'system' -%}"
    "{%- set first_user_prefix = messages[0]['content'] + '\n\n' -%}{%- set loop_messages = messages[1:] -%}"
    "{%- else -%}{%- set first_user_prefix = '' -%}{%- set loop_messages = messages -%}{%- endif -%}"
    "{%- for message in loop_messages -%}"
    "{%- set role = 'model' if message['role'] == 'assistant' else message['role'] -%}"
    "{{ '<start_of_turn>' + role + '\n' + (first_user_prefix if loop.first else '') }}"
    "{{ message['content'] | trim }}{{ '<end_of_turn>\n' }}"
    "{%- endfor -%}"
    "{%- if add_generation_prompt -%}{{ '<start_of_turn>model\n' }}{%- endif -%}"
)


@dataclass(frozen=True)
class MergeResult:
    path: Path
    quant: str
    size: int
    merge_seconds: float
    quantize_seconds: float


def _noop(_fraction: float, _message: str) -> None:
    return None


def write_merged_f16(base_gguf: Path, lora_gguf: Path | None, out_path: Path, *, outtype: str = "F16",
                     name: str | None = None, progress: Progress | None = None) -> Path:
    """Write base (+ merged LoRA) as an F16 or Q8_0 GGUF at ``out_path`` (atomically)."""
    import gguf
    from gguf import GGMLQuantizationType as Q

    progress = progress or _noop
    base = quick_read(Path(base_gguf))
    arch = str(base.kv["general.architecture"])
    alpha, deltas = lora_deltas(lora_gguf) if lora_gguf else (0.0, {})
    missing = sorted(set(deltas) - set(base.tensors))
    if missing:
        raise ExportError(_("The adapter changes tensors the base model {base} does not have: {names}.").format(
            base=base_gguf, names=", ".join(missing[:5])), hint=_("Use the base model the adapter was trained on."))
    replaced = ("general.architecture", "general.file_type", "general.name", "general.alignment")
    with atomic_output(Path(out_path)) as tmp:
        w = raw_kv_writer(tmp, arch, base.raw_kv(skip_prefixes=replaced))
        w.add_name(name or f"{base.kv.get('general.name', arch)} + adapter")
        w.add_file_type(gguf.LlamaFileType.MOSTLY_Q8_0 if outtype == "Q8_0" else gguf.LlamaFileType.MOSTLY_F16)
        if "tokenizer.chat_template" not in base.kv and arch.startswith("gemma"):
            w.add_chat_template(GEMMA_CHAT_TEMPLATE)
        total = len(base.tensors)
        for i, (tname, (shape_ne, ttype)) in enumerate(base.tensors.items()):
            shape = tuple(reversed(shape_ne))
            w_f32 = base.tensor_f32(tname)
            if tname in deltas:
                a, b = deltas[tname]
                scale = alpha / a.shape[0] if alpha else 1.0
                w_f32 = w_f32 + scale * (b @ a)
            if len(shape) == 1:
                w.add_tensor(tname, np.ascontiguousarray(w_f32, dtype=np.float32))
            elif outtype == "Q8_0" and shape[-1] % 32 == 0:
                qd = gguf.quants.quantize(w_f32, Q.Q8_0)
                w.add_tensor(tname, qd, raw_shape=qd.shape, raw_dtype=Q.Q8_0)
            else:
                w.add_tensor(tname, np.ascontiguousarray(w_f32, dtype=np.float16))
            if i % 16 == 0:
                progress(0.6 * i / total, _("Merging tensors ({i}/{n})").format(i=i, n=total))
        progress(0.6, _("Writing {name}").format(name=Path(out_path).name))
        w.write_header_to_file()
        w.write_kv_data_to_file()
        w.write_tensors_to_file()
        w.close()
    return Path(out_path)


def quantize_gguf(src: Path, dst: Path, quant: str, *, n_threads: int | None = None) -> Path:
    """Quantize ``src`` to ``dst`` with llama.cpp (``Q4_K_M``, ``Q5_K_M``, ``Q8_0`` or ``F16``)."""
    if quant not in QUANT_TYPES:
        raise ExportError(_("Unknown quantization '{quant}'.").format(quant=quant),
                          hint=_("Choose one of: {choices}.").format(choices=", ".join(QUANT_TYPES)))
    import llama_cpp

    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = getattr(llama_cpp, QUANT_TYPES[quant])
    params.nthread = n_threads or get_settings().n_threads
    with atomic_output(Path(dst)) as tmp:
        from llama_cpp._utils import suppress_stdout_stderr

        with suppress_stdout_stderr(disable=log.isEnabledFor(logging.DEBUG)):  # llama.cpp logs every tensor
            rc = llama_cpp.llama_model_quantize(str(src).encode(), str(tmp).encode(), params)
        if rc != 0 or not tmp.exists():
            raise ExportError(_("llama.cpp could not quantize {path} to {quant} (code {rc}).").format(
                path=src, quant=quant, rc=rc), hint=_("Try Q8_0, or check free disk space."))
    return Path(dst)


def merge_and_quantize(base_gguf: Path, lora_gguf: Path, out_path: Path, quant: str = "Q4_K_M", *,
                       name: str | None = None, progress: Progress | None = None) -> MergeResult:
    """Merge and quantize to ``out_path``; the F16 intermediate is removed."""
    if quant not in QUANT_TYPES:
        raise ExportError(_("Unknown quantization '{quant}'.").format(quant=quant),
                          hint=_("Choose one of: {choices}.").format(choices=", ".join(QUANT_TYPES)))
    progress = progress or _noop
    out_path = Path(out_path)
    t0 = time.perf_counter()
    if quant == "F16":
        write_merged_f16(base_gguf, lora_gguf, out_path, name=name, progress=progress)
        merge_s, quant_s = time.perf_counter() - t0, 0.0
    else:
        f16 = partial_name(out_path).with_name(partial_name(out_path).name + ".f16")
        try:
            write_merged_f16(base_gguf, lora_gguf, f16, name=name, progress=progress)
            merge_s = time.perf_counter() - t0
            progress(0.7, _("Quantizing to {quant} with llama.cpp").format(quant=quant))
            t1 = time.perf_counter()
            quantize_gguf(f16, out_path, quant)
            quant_s = time.perf_counter() - t1
        finally:
            with contextlib.suppress(FileNotFoundError):
                f16.unlink()
    progress(0.8, _("Written {name}").format(name=out_path.name))
    return MergeResult(out_path, quant, out_path.stat().st_size, merge_s, quant_s)
