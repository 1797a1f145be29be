"""Check a GGUF file before llama.cpp sees it, and read the metadata the app needs.

llama.cpp reports a broken file with a generic "failed to load model"; here the
user learns which file is wrong and how (missing, not GGUF, truncated).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

from ..errors import ModelError
from ..i18n import _, ngettext

GGUF_MAGIC = b"GGUF"


@dataclass(frozen=True)
class GGUFInfo:
    path: Path
    size: int
    architecture: str
    name: str
    chat_template: str | None
    context_length: int | None
    file_type: str | None
    general_type: str | None  # "model" or "adapter"


def human_size(n: int) -> str:
    """``1.1 GB``, ``491.0 MB``: binary units, as file managers show them (export.gguf_io has the same
    helper; the models package sits below export and must not import from it)."""
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GB"  # pragma: no cover


def _field_str(reader, key: str) -> str | None:
    field = reader.fields.get(key)
    if field is None:
        return None
    try:
        return bytes(field.parts[field.data[0]]).decode("utf-8", errors="replace")
    except Exception:
        return None


def _field_int(reader, key: str) -> int | None:
    field = reader.fields.get(key)
    if field is None:
        return None
    try:
        return int(field.parts[field.data[0]][0])
    except Exception:
        return None


def is_gguf_file(path: Path) -> bool:
    """Whether ``path`` is a file that starts with the GGUF signature (Ollama's blobs have no ``.gguf`` suffix)."""
    try:
        with Path(path).open("rb") as fh:
            return fh.read(4) == GGUF_MAGIC
    except OSError:
        return False


def check_header(path: Path) -> None:
    """Raise :class:`ModelError` unless ``path`` exists and starts like a GGUF file."""
    path = Path(path)
    if not path.exists():
        raise ModelError(
            _("Model file not found: {path}").format(path=path),
            hint=_("Check the path, or add the model again with 'aeon-studio models add PATH'."),
        )
    if not path.is_file():
        raise ModelError(_("{path} is a folder, not a GGUF model file.").format(path=path))
    size = path.stat().st_size
    with path.open("rb") as fh:
        head = fh.read(24)
    if len(head) < 4 or head[:4] != GGUF_MAGIC:
        raise ModelError(
            _("{path} is not a GGUF model file (it does not start with the GGUF signature).").format(path=path),
            hint=_("Aeon Studio runs GGUF models (llama.cpp format). Convert the model to GGUF first."),
        )
    if len(head) < 24 or size < 64:
        raise ModelError(
            ngettext("{path} is truncated ({size} byte): the GGUF header is incomplete.",
                     "{path} is truncated ({size} bytes): the GGUF header is incomplete.", size).format(
                path=path, size=size),
            hint=_("Download or copy the file again."),
        )
    version = struct.unpack("<I", head[4:8])[0]
    if version not in (1, 2, 3):
        raise ModelError(
            _("{path} uses GGUF version {version}, which this llama.cpp does not read.").format(
                path=path, version=version),
        )


def inspect_gguf(path: Path) -> GGUFInfo:
    """Validate ``path`` completely (header, metadata, tensor data size) and describe it."""
    path = Path(path)
    check_header(path)
    from gguf import GGUFReader  # numpy only; cheap compared with loading the model

    size = path.stat().st_size
    try:
        reader = GGUFReader(str(path), "r")
    except Exception as exc:  # truncated metadata shows up as struct/index/value errors
        raise ModelError(
            _("{path} is damaged or truncated: its GGUF metadata cannot be read ({error}).").format(
                path=path, error=exc),
            hint=_("Download or copy the file again."),
        ) from exc
    end = 0
    for tensor in reader.tensors:
        end = max(end, int(tensor.data_offset) + int(tensor.n_bytes))
    if end > size:
        raise ModelError(
            ngettext("{path} is truncated: its tensors need {need} byte but the file has {size}.",
                     "{path} is truncated: its tensors need {need} bytes but the file has {size}.", end).format(
                path=path, need=end, size=size),
            hint=_("Download or copy the file again."),
        )
    arch = _field_str(reader, "general.architecture") or "unknown"
    ftype = _field_int(reader, "general.file_type")
    return GGUFInfo(
        path=path,
        size=size,
        architecture=arch,
        name=_field_str(reader, "general.name") or path.stem,
        chat_template=_field_str(reader, "tokenizer.chat_template"),
        context_length=_field_int(reader, f"{arch}.context_length"),
        file_type=str(ftype) if ftype is not None else None,
        general_type=_field_str(reader, "general.type"),
    )
