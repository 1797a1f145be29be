"""Small GGUF helpers shared by the exporters: base-model hyper-parameters, metadata copy, atomic writes.

Only numpy and the ``gguf`` package (both light) are used here.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..i18n import _
from .errors import ExportError

#: Architectures whose LoRA tensors we can name and orient (llama.cpp's converter permutes q/k for llama).
SUPPORTED_ARCHS = ("llama", "qwen2", "qwen3", "gemma3", "gemma2", "mistral")
PERMUTED_QK_ARCHS = ("llama", "mistral")


@dataclass(frozen=True)
class BaseHParams:
    """What the LoRA converter needs to know about the base GGUF."""

    path: Path
    arch: str
    n_blocks: int
    n_head: int
    n_head_kv: int
    eos_token_id: int | None
    chat_template: str | None


# GGUF value types → struct formats of the scalar ones (gguf's GGUFValueType numbering).
_SCALARS = {0: "B", 1: "b", 2: "H", 3: "h", 4: "I", 5: "i", 6: "f", 7: "?", 10: "Q", 11: "q", 12: "d"}


@dataclass(frozen=True)
class QuickGGUF:
    """Scalar metadata and tensor shapes (GGUF ``ne`` order) read without parsing the vocabulary arrays.

    ``gguf.GGUFReader`` builds a numpy view per vocabulary entry (seconds for a 50k vocab); this reads
    the same header in tens of milliseconds."""

    kv: dict[str, Any]
    tensors: dict[str, tuple[tuple[int, ...], int]]  # name → (shape, ggml type)
    path: Path | None = None
    kv_raw: dict[str, bytes] = field(default_factory=dict)  # each key/value entry exactly as stored
    offsets: dict[str, int] = field(default_factory=dict)  # tensor data offsets from data_start
    data_start: int = 0

    def raw_kv(self, *, skip_prefixes: tuple[str, ...] = ()) -> list[bytes]:
        """Stored key/value entries to copy verbatim into another GGUF (see :class:`RawKVWriter`)."""
        return [raw for key, raw in self.kv_raw.items() if not any(key.startswith(p) for p in skip_prefixes)]

    def tensor_raw(self, name: str):
        """(stored bytes as a uint8 array of the tensor's byte shape, ggml type) — no copy (memory map)."""
        import numpy as np
        from gguf import GGML_QUANT_SIZES, GGMLQuantizationType, quants

        shape, ttype = self.tensors[name]
        qtype = GGMLQuantizationType(ttype)
        block, type_size = GGML_QUANT_SIZES[qtype]
        np_shape = tuple(reversed(shape))
        n_bytes = int(np.prod(np_shape)) // block * type_size
        raw = np.memmap(self.path, dtype=np.uint8, mode="r", offset=self.data_start + self.offsets[name],
                        shape=(n_bytes,))
        return raw.reshape(quants.quant_shape_to_byte_shape(np_shape, qtype)), qtype

    def tensor_f32(self, name: str):
        """Dequantized float32 numpy array of a tensor (numpy shape, i.e. reversed GGUF ``ne``)."""
        import numpy as np
        from gguf import quants

        raw, qtype = self.tensor_raw(name)
        np_shape = tuple(reversed(self.tensors[name][0]))
        return quants.dequantize(np.asarray(raw), qtype).reshape(np_shape).astype(np.float32, copy=False)


def quick_read(path: Path) -> QuickGGUF:
    import mmap
    import struct

    with open(path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        if mm[:4] != b"GGUF":
            raise ExportError(_("{path} is not a GGUF file.").format(path=path))
        pos = 8
        n_tensors, n_kv = struct.unpack_from("<QQ", mm, pos)
        pos += 16

        def read_str() -> bytes:
            nonlocal pos
            (n,) = struct.unpack_from("<Q", mm, pos)
            pos += 8 + n
            return mm[pos - n:pos]

        def read_value(vtype: int) -> Any:
            nonlocal pos
            if vtype in _SCALARS:
                fmt = "<" + _SCALARS[vtype]
                (v,) = struct.unpack_from(fmt, mm, pos)
                pos += struct.calcsize(fmt)
                return v
            if vtype == 8:
                return read_str().decode("utf-8", errors="replace")
            if vtype == 9:
                sub, count = struct.unpack_from("<IQ", mm, pos)
                pos += 12
                if sub in _SCALARS:  # skip numeric arrays without decoding them
                    pos += count * struct.calcsize("<" + _SCALARS[sub])
                else:
                    for _i in range(count):
                        read_value(sub)
                return None
            raise ExportError(_("{path}: unknown GGUF value type {t}.").format(path=path, t=vtype))

        kv: dict[str, Any] = {}
        kv_raw: dict[str, bytes] = {}
        for _i in range(n_kv):
            start = pos
            key = read_str().decode("utf-8")
            (vtype,) = struct.unpack_from("<I", mm, pos)
            pos += 4
            value = read_value(vtype)
            kv_raw[key] = mm[start:pos]
            if value is not None:
                kv[key] = value
        tensors: dict[str, tuple[tuple[int, ...], int]] = {}
        offsets: dict[str, int] = {}
        for _i in range(n_tensors):
            name = read_str().decode("utf-8")
            (n_dims,) = struct.unpack_from("<I", mm, pos)
            dims = struct.unpack_from(f"<{n_dims}Q", mm, pos + 4)
            pos += 4 + 8 * n_dims
            ttype, offset = struct.unpack_from("<IQ", mm, pos)
            pos += 12
            tensors[name] = (tuple(int(d) for d in dims), int(ttype))
            offsets[name] = int(offset)
        align = int(kv.get("general.alignment", 32))
        data_start = (pos + align - 1) // align * align
    return QuickGGUF(kv, tensors, Path(path), kv_raw, offsets, data_start)


def raw_kv_writer(path: Path, arch: str, raw_kv: list[bytes]):
    """A ``GGUFWriter`` that also writes ``raw_kv`` entries verbatim (vocabularies copy in milliseconds)."""
    from gguf import GGUFWriter
    from gguf.gguf_writer import WriterState

    class RawKVWriter(GGUFWriter):
        def write_header_to_file(self, path=None) -> None:
            self.open_output_file(path)
            fout = self.fout[0]
            fout.write(self._pack("<I", 0x46554747, skip_pack_prefix=True))  # "GGUF"
            fout.write(self._pack("I", 3))
            fout.write(self._pack("Q", len(self.tensors[0])))
            fout.write(self._pack("Q", len(self.kv_data[0]) + len(raw_kv)))
            self.state = WriterState.HEADER

        def write_kv_data_to_file(self) -> None:
            super().write_kv_data_to_file()
            for raw in raw_kv:
                self.fout[0].write(raw)
            self.flush()

    return RawKVWriter(str(path), arch)


def read_hparams(base_gguf: Path) -> BaseHParams:
    """Read the architecture and head counts of a base model GGUF."""
    try:
        kv = quick_read(Path(base_gguf)).kv
    except (OSError, ValueError, IndexError) as exc:
        raise ExportError(_("Cannot read the base model {path}: {error}").format(path=base_gguf, error=exc),
                          hint=_("Check that the base model is a complete GGUF file.")) from exc
    arch = str(kv.get("general.architecture") or "")
    n_head = kv.get(f"{arch}.attention.head_count")
    n_head_kv = kv.get(f"{arch}.attention.head_count_kv") or n_head
    n_blocks = kv.get(f"{arch}.block_count")
    if arch not in SUPPORTED_ARCHS or not n_head or not n_blocks:
        raise ExportError(
            _("The base model {path} has architecture '{arch}', which the exporter does not support.").format(
                path=base_gguf, arch=arch or "?"),
            hint=_("Supported architectures: {archs}.").format(archs=", ".join(SUPPORTED_ARCHS)))
    return BaseHParams(Path(base_gguf), arch, int(n_blocks), int(n_head), int(n_head_kv),
                       kv.get("tokenizer.ggml.eos_token_id"), kv.get("tokenizer.chat_template"))


def partial_name(target: Path) -> Path:
    """The temporary name an export is written under (never listed as a model)."""
    return target.with_name(f".{target.name}.partial")


@contextlib.contextmanager
def atomic_output(target: Path) -> Iterator[Path]:
    """Yield a temporary path next to ``target``; rename it to ``target`` only when the block succeeds."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = partial_name(target)
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    try:
        yield tmp
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise


def human_size(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GB"  # pragma: no cover
