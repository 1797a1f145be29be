"""PEFT LoRA adapter folder → llama.cpp LoRA adapter GGUF, with the ``gguf`` package only.

What llama.cpp expects (``llama-adapter.cpp``): ``general.type=adapter``, ``adapter.type=lora``,
``adapter.lora.alpha``, and for each adapted weight ``W`` (GGUF name ``blk.N.attn_q.weight``) two F16
tensors ``<name>.lora_a`` (numpy shape ``(r, in)``) and ``<name>.lora_b`` (``(out, r)``); it adds
``alpha / r · B·A·x``. Two details matter for correct answers:

* llama.cpp's HF converter permutes the rows of ``q_proj``/``k_proj`` for llama-style rope, so the
  rows of ``lora_b`` (the output side) get the same permutation; ``lora_a`` is unchanged.
* PEFT's per-module scaling (``rank_pattern``/``alpha_pattern``, rsLoRA) can differ from the single
  ``alpha / r`` llama.cpp applies; the difference is folded into ``lora_b``.
"""

from __future__ import annotations

import json
import logging
import math
import re
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..i18n import _
from .errors import ExportError
from .gguf_io import PERMUTED_QK_ARCHS, BaseHParams, atomic_output, quick_read, read_hparams

log = logging.getLogger(__name__)

_KEY = re.compile(r"^(?:base_model\.model\.)?(?P<module>.+)\.lora_(?P<ab>[AB])(?:\.(?P<adapter>[^.]+))?\.weight$")


@dataclass(frozen=True)
class LoraGGUFResult:
    path: Path
    arch: str
    alpha: float
    rank: int
    n_tensors: int
    size: int
    seconds: float


@dataclass(frozen=True)
class PeftLora:
    folder: Path
    config: dict
    tensors: dict[str, tuple[np.ndarray, np.ndarray]]  # HF module name → (A (r,in), B (out,r))


def _permute_rows(w: np.ndarray, n_head: int) -> np.ndarray:
    """llama.cpp's ``LlamaModel.permute`` applied to the output rows."""
    return (w.reshape(n_head, 2, w.shape[0] // n_head // 2, *w.shape[1:])
            .swapaxes(1, 2).reshape(w.shape))


def _load_state(folder: Path) -> dict[str, np.ndarray]:
    st = folder / "adapter_model.safetensors"
    if st.exists():
        try:
            from safetensors.numpy import load_file

            return load_file(str(st))
        except (TypeError, ValueError):  # bf16 has no numpy dtype: go through torch
            from safetensors.torch import load_file as load_torch

            return {k: v.float().numpy() for k, v in load_torch(str(st)).items()}
    binf = folder / "adapter_model.bin"
    if binf.exists():
        import torch

        state = torch.load(str(binf), map_location="cpu", weights_only=True)
        return {k: v.float().numpy() for k, v in state.items()}
    raise ExportError(_("{path} has no adapter_model.safetensors: it is not a PEFT adapter folder.").format(
        path=folder), hint=_("Choose the folder a training run wrote (it holds adapter_config.json)."))


def load_peft_lora(folder: Path) -> PeftLora:
    """Read and validate a PEFT LoRA folder."""
    folder = Path(folder)
    cfg_path = folder / "adapter_config.json"
    if not folder.exists():  # a mistyped path: say so, not that the folder lacks a file
        raise ExportError(_("{path} does not exist.").format(path=folder),
                          hint=_("Check the path: give a run folder or a PEFT adapter folder (with "
                                 "adapter_config.json)."))
    if not cfg_path.is_file():
        raise ExportError(_("{path} has no adapter_config.json: it is not a PEFT adapter folder.").format(
            path=folder), hint=_("Choose the folder a training run wrote (it holds adapter_config.json)."))
    try:
        config = json.loads(cfg_path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise ExportError(_("{path} is not valid JSON: {error}").format(path=cfg_path, error=exc)) from exc
    if str(config.get("peft_type", "LORA")).upper() != "LORA":
        raise ExportError(_("{path}: adapter type '{kind}' cannot be exported; only LoRA can.").format(
            path=cfg_path, kind=config.get("peft_type")))
    if config.get("use_dora"):
        raise ExportError(_("{path}: DoRA adapters cannot run in llama.cpp.").format(path=cfg_path),
                          hint=_("Train with plain LoRA (use_dora off) to export to GGUF."))
    pairs: dict[str, dict[str, np.ndarray]] = {}
    for key, value in _load_state(folder).items():
        m = _KEY.match(key)
        if m is None:
            if "lora_embedding" in key or "modules_to_save" in key:
                raise ExportError(
                    _("{path}: the adapter changes '{key}', which llama.cpp LoRA adapters cannot carry.").format(
                        path=folder, key=key),
                    hint=_("Train LoRA on linear layers only (no embeddings or modules_to_save), or export "
                           "a merged GGUF."))
            continue
        pairs.setdefault(m["module"], {})[m["ab"]] = np.asarray(value, dtype=np.float32)
    tensors = {}
    for module, ab in pairs.items():
        if set(ab) != {"A", "B"}:
            raise ExportError(_("{path}: '{module}' has lora_A or lora_B missing.").format(path=folder, module=module))
        if ab["A"].ndim != 2 or ab["B"].ndim != 2 or ab["A"].shape[0] != ab["B"].shape[1]:
            raise ExportError(_("{path}: '{module}' has mismatched LoRA shapes {a} and {b}.").format(
                path=folder, module=module, a=ab["A"].shape, b=ab["B"].shape))
        tensors[module] = (ab["A"], ab["B"])
    if not tensors:
        raise ExportError(_("{path} holds no LoRA weights.").format(path=folder))
    return PeftLora(folder, config, tensors)


def _module_scale(config: dict, module: str, rank: int) -> float:
    """PEFT's scaling for one module (``alpha/r``, or ``alpha/sqrt(r)`` with rsLoRA)."""
    alpha = float(config.get("lora_alpha", rank))
    for pattern, value in (config.get("alpha_pattern") or {}).items():
        if re.search(rf"(^|\.){re.escape(pattern)}$", module) or re.fullmatch(pattern, module):
            alpha = float(value)
    return alpha / (math.sqrt(rank) if config.get("use_rslora") else rank)


def _gguf_name(tmap, module: str) -> str | None:
    candidates = [module, re.sub(r"^model\.language_model\.", "model.", module),
                  re.sub(r"^language_model\.", "", module)]
    for name in candidates:
        found = tmap.get_name(name + ".weight", try_suffixes=(".weight",))
        if found:
            return found
    return None


def convert_lora(adapter_dir: Path, base_gguf: Path, out_path: Path, *, name: str | None = None) -> LoraGGUFResult:
    """Write ``out_path`` (an F16 LoRA GGUF for ``base_gguf``) from the PEFT folder ``adapter_dir``.

    Raises:
        ExportError: the folder is not a PEFT LoRA, targets modules llama.cpp cannot adapt, or does
            not fit the base model (architecture or shapes); ``out_path`` is untouched then.
    """
    import gguf
    from gguf import GGUFWriter

    t0 = time.perf_counter()
    lora = load_peft_lora(adapter_dir)
    hp: BaseHParams = read_hparams(base_gguf)
    base_shapes = {k: v[0] for k, v in quick_read(Path(base_gguf)).tensors.items()}
    arch_enum = next(k for k, v in gguf.MODEL_ARCH_NAMES.items() if v == hp.arch)
    tmap = gguf.TensorNameMap(arch_enum, hp.n_blocks)
    alpha = float(lora.config.get("lora_alpha", lora.config.get("r", 8)))
    out: list[tuple[str, np.ndarray, np.ndarray]] = []
    for module, (a, b) in sorted(lora.tensors.items()):
        gname = _gguf_name(tmap, module)
        if gname is None:
            raise ExportError(
                _("{path}: no llama.cpp tensor for the adapted module '{module}' ({arch}).").format(
                    path=adapter_dir, module=module, arch=hp.arch),
                hint=_("Target attention/MLP projections (q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, "
                       "down_proj)."))
        shape = base_shapes.get(gname)
        rank = a.shape[0]
        if shape is None or len(shape) != 2 or shape != (a.shape[1], b.shape[0]):
            raise ExportError(
                _("The adapter {path} does not fit the base model {base}: '{module}' is {inp}→{outp} in the "
                  "adapter but {shape} in the base.").format(path=adapter_dir, base=base_gguf, module=module,
                                                            inp=a.shape[1], outp=b.shape[0], shape=shape),
                hint=_("Export with the base model the adapter was trained on."))
        factor = _module_scale(lora.config, module, rank) / (alpha / rank)
        if abs(factor - 1.0) > 1e-6:
            b = b * factor
        if hp.arch in PERMUTED_QK_ARCHS and gname.endswith("attn_q.weight"):
            b = _permute_rows(b, hp.n_head)
        elif hp.arch in PERMUTED_QK_ARCHS and gname.endswith("attn_k.weight"):
            b = _permute_rows(b, hp.n_head_kv)
        out.append((gname, a, b))
    ranks = sorted({a.shape[0] for _, a, _ in out})
    with atomic_output(Path(out_path)) as tmp:
        w = GGUFWriter(str(tmp), hp.arch)
        w.add_type(gguf.GGUFType.ADAPTER)
        w.add_name(name or Path(adapter_dir).name)
        w.add_string(gguf.Keys.Adapter.TYPE, "lora")
        w.add_float32(gguf.Keys.Adapter.LORA_ALPHA, alpha)
        for gname, a, b in out:
            w.add_tensor(gname + ".lora_a", np.ascontiguousarray(a, dtype=np.float16))
            w.add_tensor(gname + ".lora_b", np.ascontiguousarray(b, dtype=np.float16))
        w.write_header_to_file()
        w.write_kv_data_to_file()
        w.write_tensors_to_file()
        w.close()
    path = Path(out_path)
    result = LoraGGUFResult(path, hp.arch, alpha, ranks[-1], 2 * len(out), path.stat().st_size,
                            time.perf_counter() - t0)
    log.info("LoRA GGUF %s: %d tensors, %d bytes, %.2f s", path, result.n_tensors, result.size, result.seconds)
    return result


def lora_deltas(adapter_gguf: Path) -> tuple[float, dict[str, tuple[np.ndarray, np.ndarray]]]:
    """Read a LoRA GGUF back: (alpha, {GGUF weight name: (A, B)}) in llama.cpp's layout."""
    from gguf import GGUFReader

    reader = GGUFReader(str(adapter_gguf), "r")
    f = reader.fields.get("adapter.lora.alpha")
    alpha = float(f.contents()) if f is not None else 0.0
    parts: dict[str, dict[str, np.ndarray]] = {}
    for t in reader.tensors:
        base, _dot, ab = t.name.rpartition(".")
        parts.setdefault(base, {})[ab] = np.asarray(t.data, dtype=np.float32).reshape(
            tuple(reversed([int(x) for x in t.shape])))
    return alpha, {k: (v["lora_a"], v["lora_b"]) for k, v in parts.items() if {"lora_a", "lora_b"} <= set(v)}
