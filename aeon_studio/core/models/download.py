"""Download one file of a Hub repo into the Hugging Face cache: resumable, cancellable, checksum verified.

``hf_hub_download`` alone does not fit: it writes to a temporary file unique to each call and deletes it when
the call fails, so a download cancelled or cut at 90 % starts again from zero. Here the bytes go to
``<cache>/models--org--repo/blobs/<sha256>.incomplete`` through huggingface_hub's own ``http_get`` (Range
requests, retries of dropped connections, the Hub's headers and token); a later call continues from that file's
size. The finished file's sha256 is checked against the Hub's LFS sha256 before it becomes the blob; then
``hf_hub_download`` finds the blob in place and writes the cache's snapshot link and metadata itself, so the
result is an ordinary Hugging Face cache entry that other tools reuse.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import ModelError
from ..i18n import _

log = logging.getLogger(__name__)

#: ``progress(done_bytes, total_bytes)``
Progress = Callable[[int, int], None]
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_SHA1 = re.compile(r"^[0-9a-f]{40}$")


class DownloadCancelled(ModelError):
    """The user cancelled; the bytes received so far stay on disk and the next download continues from them."""


def hub_cache_dir() -> Path:
    """The Hugging Face cache (``HF_HUB_CACHE``, else ``HF_HOME/hub``, else ~/.cache/huggingface/hub).

    Read at each call (huggingface_hub reads it once, at import) so a test or a user who sets it later is obeyed.
    """
    from huggingface_hub import constants

    if os.environ.get("HF_HUB_CACHE"):
        return Path(os.environ["HF_HUB_CACHE"]).expanduser()
    if os.environ.get("HF_HOME"):
        return Path(os.environ["HF_HOME"]).expanduser() / "hub"
    return Path(constants.HF_HUB_CACHE)


def repo_storage(repo: str, cache_dir: Path) -> Path:
    """The cache folder of a model repo (``models--org--name``)."""
    from huggingface_hub.file_download import repo_folder_name

    return Path(cache_dir) / repo_folder_name(repo_id=repo, repo_type="model")


def partial_size(repo: str, sha256: str | None, cache_dir: Path | None = None) -> int:
    """Bytes of an earlier, unfinished download of the blob ``sha256`` (0 when none)."""
    if not sha256:
        return 0
    part = repo_storage(repo, cache_dir or hub_cache_dir()) / "blobs" / f"{sha256}.incomplete"
    return part.stat().st_size if part.exists() else 0


def _make_bar(progress: Progress | None, cancel: Callable[[], bool] | None) -> type:
    """A tqdm stand-in for ``http_get``: reports bytes to ``progress`` and stops the transfer when cancelled."""

    class _Bar:
        def __init__(self, *, total: int | None = None, initial: int = 0, **_kw: Any) -> None:
            self.total, self.n = total or 0, initial
            self._report()

        def _report(self) -> None:
            if cancel is not None and cancel():
                # Raised inside http_get's read loop: not a network error, so it is not retried; the file keeps
                # what was written, which is what a resume needs.
                raise DownloadCancelled(_("Download cancelled."),
                                        hint=_("Start it again to continue where it stopped."))
            if progress is not None:
                progress(self.n, self.total)

        def update(self, n: int = 1) -> None:
            self.n += n
            self._report()

        def __enter__(self) -> "_Bar":
            return self

        def __exit__(self, *exc: object) -> None:
            return None

        def close(self) -> None:
            return None

    return _Bar


def _digest(path: Path, algo: str, size: int) -> str:
    """sha256 of the file, or git's blob sha1 (``blob <size>\\0`` + bytes) for a file kept outside LFS."""
    h = hashlib.new(algo)
    if algo == "sha1":
        h.update(f"blob {size}\0".encode())
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def fetch(repo: str, filename: str, revision: str, *, sha256: str | None, endpoint: str, timeout: float,
          progress: Progress | None = None, cancel: Callable[[], bool] | None = None,
          cache_dir: Path | None = None) -> Path:
    """The cached file (the snapshot link) of ``filename`` at commit ``revision``, downloaded if needed.

    Args:
        sha256: the Hub's LFS sha256 from the repo listing; it must match the file's ETag and its bytes.
        timeout: seconds to wait for the server before giving up (metadata and each read).

    Raises:
        DownloadCancelled: ``cancel()`` turned true; the partial file is kept for the next call.
        ModelError: the bytes do not match the checksum (the partial file is deleted: a resume would only
            keep the bad bytes), or the server's answer is not the Hub's.
    """
    from huggingface_hub import get_hf_file_metadata, hf_hub_download, hf_hub_url, try_to_load_from_cache
    from huggingface_hub.file_download import http_get
    from huggingface_hub.utils import build_hf_headers

    cache_dir = Path(cache_dir or hub_cache_dir())
    cached = try_to_load_from_cache(repo, filename, cache_dir=str(cache_dir), revision=revision)
    if isinstance(cached, str):
        return Path(cached)  # verified when it was stored
    url = hf_hub_url(repo, filename, revision=revision, endpoint=endpoint)
    meta = get_hf_file_metadata(url, timeout=timeout, endpoint=endpoint)
    etag, size = (meta.etag or "").lower(), meta.size
    if sha256 and etag != sha256.lower():
        raise ModelError(
            _("The Hub sent {file} with checksum {etag}, but lists it as {sha}.").format(
                file=filename, etag=etag or "?", sha=sha256),
            hint=_("The repository may have changed meanwhile; list its files again and retry."))
    if not (_SHA256.match(etag) or _SHA1.match(etag)) or size is None:
        raise ModelError(_("The server did not say the checksum and size of {file} ({url}).").format(
            file=filename, url=url), hint=_("Check HF_ENDPOINT: it must point to a Hugging Face Hub."))
    blobs = repo_storage(repo, cache_dir) / "blobs"
    blob, part = blobs / etag, blobs / f"{etag}.incomplete"
    if not blob.exists():
        blobs.mkdir(parents=True, exist_ok=True)
        done = part.stat().st_size if part.exists() else 0
        if done > size:  # not a prefix of this file: start over
            part.unlink()
            done = 0
        headers = build_hf_headers()
        if meta.location != url and not meta.location.startswith(endpoint):
            headers.pop("authorization", None)  # a CDN link is signed; the token must not leave the Hub
        log.info("Downloading %s/%s (%d bytes, %d already here)", repo, filename, size, done)
        with part.open("ab") as fh:
            http_get(meta.location, fh, resume_size=done, headers=headers, expected_size=size,
                     displayed_filename=filename, tqdm_class=_make_bar(progress, cancel))
        algo = "sha256" if _SHA256.match(etag) else "sha1"
        actual = _digest(part, algo, size)
        if actual != etag:
            part.unlink()
            raise ModelError(
                _("{file} from {repo} is corrupted: its {algo} is {actual}, the Hub says {expected}. "
                  "The file was deleted and nothing was added.").format(
                    file=filename, repo=repo, algo=algo, actual=actual, expected=etag),
                hint=_("Download it again; if this repeats, the connection or a proxy is changing the data."))
        os.replace(part, blob)
    # The blob is in place: huggingface_hub only writes the snapshot link (and refs), no second download.
    return Path(hf_hub_download(repo, filename, revision=revision, cache_dir=str(cache_dir), endpoint=endpoint,
                                etag_timeout=timeout))
