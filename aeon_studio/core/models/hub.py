"""Models from the Hugging Face Hub: list a repo's GGUF files, check there is room, download and register.

Everything goes through ``huggingface_hub`` (``HfApi.model_info`` for the listing with sizes and LFS sha256,
:mod:`.download` for the transfer into the Hugging Face cache). ``HF_ENDPOINT`` is read at each call, so a
mirror or the tests' loopback server is used as soon as it is set; waits are short (:data:`TIMEOUT_S`) so an
offline machine gets a clear message in seconds rather than a hang.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..errors import ModelError, ValidationError
from ..i18n import _
from .download import Progress, fetch, hub_cache_dir, partial_size
from .registry import ModelInfo, ModelRegistry

log = logging.getLogger(__name__)

#: Seconds to wait for the Hub before saying it cannot be reached.
TIMEOUT_S = 10.0
#: Quantizations in the order we suggest them: Q4_K_M is the usual balance of size and quality; then the other
#: 4- and 5-bit ones, then the larger (better, slower) ones.
PREFERRED_QUANTS = ("Q4_K_M", "Q4_K_S", "Q5_K_M", "Q5_K_S", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q6_K", "Q8_0",
                    "F16", "BF16")
_QUANT = re.compile(r"(?<![A-Za-z0-9])(I?Q\d+_[A-Z0-9]+(?:_[A-Z0-9]+)?|BF16|F16|F32|FP16)(?![A-Za-z0-9])", re.I)
_SPLIT = re.compile(r"-\d{5}-of-\d{5}\.gguf$", re.I)
#: Memory a model needs besides its weights (context, compute buffers), in bytes, and the share of weights.
RAM_OVERHEAD = 512 * 1024 ** 2
RAM_FACTOR = 1.2
#: Disk kept free after a download, so the system and the app still have room.
DISK_MARGIN = 256 * 1024 ** 2


@dataclass(frozen=True)
class HubFile:
    """One GGUF file of a repo, as the Hub lists it."""

    filename: str
    size: int | None
    sha256: str | None  # the LFS sha256; None for a file kept in git itself
    quant: str | None  # Q4_K_M, Q8_0, F16… read from the file name
    usable: bool = True  # False for split files and vision projectors, which are not a chat model alone
    note: str = ""  # why it is not usable


@dataclass(frozen=True)
class HubRepo:
    repo: str
    revision: str  # the commit the listing describes; the download asks for exactly that one
    files: list[HubFile]


def hub_endpoint() -> str:
    from huggingface_hub import constants

    return (os.environ.get("HF_ENDPOINT") or constants.ENDPOINT).rstrip("/")


def ram_needed(size: int) -> int:
    """Bytes of RAM to chat with a GGUF of ``size`` bytes (weights plus context and buffers)."""
    return int(size * RAM_FACTOR) + RAM_OVERHEAD


def quant_of(filename: str) -> str | None:
    match = _QUANT.search(Path(filename).stem)
    return match.group(1).upper() if match else None


def _unreachable(exc: Exception, repo: str) -> ModelError:
    """The user's view of a failed request: offline, not found, gated, or the server's own words."""
    from huggingface_hub.errors import GatedRepoError, OfflineModeIsEnabled, RepositoryNotFoundError, \
        RevisionNotFoundError

    if isinstance(exc, OfflineModeIsEnabled):
        return ModelError(_("Cannot download from the Hugging Face Hub: offline mode is on (HF_HUB_OFFLINE)."),
                          hint=_("Unset HF_HUB_OFFLINE to download, or add a GGUF file you already have."))
    if isinstance(exc, GatedRepoError):
        return ModelError(_("{repo} is gated: its authors ask you to accept their terms first.").format(repo=repo),
                          hint=_("Accept them on the model's page at huggingface.co, log in with 'hf auth login', "
                                 "and try again."))
    if isinstance(exc, RevisionNotFoundError):
        return ModelError(_("{repo} has no such revision.").format(repo=repo))
    if isinstance(exc, RepositoryNotFoundError):
        return ModelError(_("There is no model repository called {repo} on the Hub.").format(repo=repo),
                          hint=_("Check the name (owner/name, e.g. Qwen/Qwen2.5-0.5B-Instruct-GGUF)."))
    return ModelError(_("Cannot reach the Hugging Face Hub at {url} ({error}).").format(
        url=hub_endpoint(), error=type(exc).__name__ if not str(exc) else str(exc).splitlines()[0]),
        hint=_("Check your internet connection (or HF_ENDPOINT), then try again. Models you already "
               "downloaded keep working offline."))


def _network_errors() -> tuple[type[BaseException], ...]:
    import httpx2
    from huggingface_hub.errors import FileMetadataError, HfHubHTTPError, OfflineModeIsEnabled

    return (httpx2.HTTPError, HfHubHTTPError, OfflineModeIsEnabled, FileMetadataError, ConnectionError,
            TimeoutError)


def list_gguf_files(repo: str, *, revision: str | None = None, timeout: float = TIMEOUT_S) -> HubRepo:
    """The GGUF files of ``repo`` with their sizes, checksums and quantizations (usable ones first by size).

    Raises:
        ValidationError: ``repo`` is not of the form owner/name.
        ModelError: the Hub cannot be reached, the repo does not exist or is gated, or it has no GGUF file.
    """
    from huggingface_hub import HfApi
    from huggingface_hub.errors import HFValidationError

    repo = repo.strip().strip("/")
    try:
        info = HfApi(endpoint=hub_endpoint()).model_info(repo, revision=revision, files_metadata=True,
                                                          timeout=timeout)
    except HFValidationError as exc:
        raise ValidationError(_("'{repo}' is not a Hub repository name.").format(repo=repo),
                              hint=_("Write it as owner/name, e.g. Qwen/Qwen2.5-0.5B-Instruct-GGUF.")) from exc
    except _network_errors() as exc:
        raise _unreachable(exc, repo) from exc
    files = []
    for sib in info.siblings or ():
        name = sib.rfilename
        if not name.lower().endswith(".gguf"):
            continue
        note = ""
        if _SPLIT.search(name):
            note = _("split into parts (not supported yet)")
        elif "mmproj" in Path(name).name.lower():
            note = _("vision projector, not a chat model")
        files.append(HubFile(filename=name, size=sib.lfs.size if sib.lfs else sib.size,
                             sha256=sib.lfs.sha256 if sib.lfs else None, quant=quant_of(name),
                             usable=not note, note=note))
    if not any(f.usable for f in files):
        raise ModelError(_("{repo} has no GGUF model file to download.").format(repo=repo),
                         hint=_("Aeon Studio runs GGUF models. Look for a repository whose name ends in -GGUF "
                                "(for example Qwen/Qwen2.5-0.5B-Instruct-GGUF)."))
    files.sort(key=lambda f: (not f.usable, f.size or 0))
    return HubRepo(repo=info.id or repo, revision=info.sha or revision or "main", files=files)


def choose_file(listing: HubRepo, *, filename: str | None = None, quant: str | None = None) -> HubFile:
    """The file to download: ``filename`` exactly, else the one with ``quant``, else the preferred quantization
    (Q4_K_M first), else the only usable file. Raises :class:`ValidationError` naming the choices."""
    usable = [f for f in listing.files if f.usable]
    choices = ", ".join(f.filename for f in usable)
    if filename:
        for f in listing.files:
            if f.filename == filename or Path(f.filename).name == filename:
                if not f.usable:
                    raise ValidationError(_("{file} cannot be used: {why}.").format(file=filename, why=f.note))
                return f
        raise ValidationError(_("{repo} has no file {file}.").format(repo=listing.repo, file=filename),
                              hint=_("Its GGUF files: {files}.").format(files=choices))
    if quant:
        matches = [f for f in usable if (f.quant or "").upper() == quant.upper()]
        if len(matches) == 1:
            return matches[0]
        if not matches:
            quants = ", ".join(sorted({f.quant for f in usable if f.quant}))
            raise ValidationError(_("{repo} has no {quant} file.").format(repo=listing.repo, quant=quant),
                                  hint=_("Its quantizations: {quants}.").format(quants=quants or "—"))
        raise ValidationError(_("More than one file of {repo} is {quant}.").format(repo=listing.repo, quant=quant),
                              hint=_("Pick one with --file: {files}.").format(
                                  files=", ".join(f.filename for f in matches)))
    for q in PREFERRED_QUANTS:
        matches = [f for f in usable if f.quant == q]
        if len(matches) == 1:
            return matches[0]
    if len(usable) == 1:
        return usable[0]
    raise ValidationError(_("{repo} has several GGUF files; say which one.").format(repo=listing.repo),
                          hint=_("Use --file NAME or --quant Q4_K_M. Its files: {files}.").format(files=choices))


def check_room(size: int, *, already: int = 0, cache_dir: Path | None = None, disk_free: int | None = None,
               ram_total: int | None = None) -> None:
    """Refuse before downloading a file that does not fit on disk or that this computer cannot run.

    Args:
        size: the file's bytes; ``already``: bytes of it downloaded before (a resume needs only the rest).
        disk_free, ram_total: measured here when not given (tests give them).
    """
    import psutil

    from .gguf_info import human_size

    cache_dir = Path(cache_dir or hub_cache_dir())
    probe = cache_dir
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent  # the cache folder may not exist yet: measure the disk it will be on
    free = shutil.disk_usage(probe).free if disk_free is None else disk_free
    need = size - already + DISK_MARGIN
    if need > free:
        raise ModelError(_("Not enough disk space: the model needs {need} in {folder}, which has {free} free.").format(
            need=human_size(need), folder=cache_dir, free=human_size(free)),
            hint=_("Free some space, pick a smaller quantization, or set HF_HUB_CACHE to a larger disk."))
    total = psutil.virtual_memory().total if ram_total is None else ram_total
    if ram_needed(size) > total:
        raise ModelError(_("This model needs about {need} of memory to run; this computer has {total}.").format(
            need=human_size(ram_needed(size)), total=human_size(total)),
            hint=_("Pick a smaller quantization (Q4_K_M) or a smaller model from the recommended list."))


def pull(repo: str, *, filename: str | None = None, quant: str | None = None, name: str | None = None,
         progress: Progress | None = None, cancel: Callable[[], bool] | None = None,
         registry: ModelRegistry | None = None, timeout: float = TIMEOUT_S) -> ModelInfo:
    """Download a GGUF of ``repo`` (resuming an earlier attempt), verify it and register it as a ``hub`` model.

    ``progress(done_bytes, total_bytes)`` reports the transfer; ``cancel()`` turning true stops it (the bytes
    received stay for the next call). Returns the registered model; if that file of that commit is already
    registered, that model. Nothing is registered unless the whole file arrived, matches the Hub's sha256 and reads as a GGUF model.
    """
    from .gguf_info import inspect_gguf

    registry = registry or ModelRegistry()
    listing = list_gguf_files(repo, timeout=timeout)
    chosen = choose_file(listing, filename=filename, quant=quant)
    known = registry.find(repo=listing.repo, file=chosen.filename, sha256=chosen.sha256)
    if known is not None and known.size:
        return known
    if chosen.size:
        check_room(chosen.size, already=partial_size(listing.repo, chosen.sha256))
    try:
        path = fetch(listing.repo, chosen.filename, listing.revision, sha256=chosen.sha256,
                     endpoint=hub_endpoint(), timeout=timeout, progress=progress, cancel=cancel)
    except ModelError:
        raise
    except _network_errors() as exc:
        raise _unreachable(exc, listing.repo) from exc
    except OSError as exc:  # http_get's size check, a full disk
        raise ModelError(_("The download of {file} failed: {error}").format(file=chosen.filename, error=exc),
                         hint=_("Try again: it continues from what arrived.")) from exc
    info = inspect_gguf(path)  # a checksum-correct file can still be something llama.cpp cannot read
    if known is not None:  # registered before, its file since removed from the cache: it is back in place
        return registry.get(known.id)
    origin = {"repo": listing.repo, "file": chosen.filename, "revision": listing.revision,
              "sha256": chosen.sha256, "quant": chosen.quant}
    return registry.add(path, name or _default_name(listing.repo, chosen), source="hub", origin=origin,
                        info=info, resolve=False)


def _default_name(repo: str, f: HubFile) -> str:
    base = repo.split("/")[-1]
    base = re.sub(r"[-_]GGUF$", "", base, flags=re.I)
    return f"{base} {f.quant}" if f.quant else base
