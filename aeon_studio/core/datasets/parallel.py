"""Converting a large log on two cores, with output identical to the single-process path.

:func:`plan_split` cuts the file at a conversation boundary near the middle (a blank line followed by a labelled
line, where the parser always closes a conversation) and counts the lines before it. Each part runs the usual
:class:`.pipeline.Pipeline` in its own worker process (``python -m aeon_studio.core.datasets.parallel
TASK.json``; both workers share one ``PYTHONHASHSEED`` so their dedup keys compare). A worker writes its kept
lines, its rejects, and: part 1 the final contents of its exact/near fingerprint sets, part 2 the keys of each
kept record and of each near-duplicate. :func:`merge` then replays dedup across the cut: a part-2 record is an
exact duplicate when its key is in part 1's exact set, a near-duplicate when its near key is in part 1's near set
(the single-process sets are the union of the parts' sets, so nothing part 2 dropped can come back).
Part 1's fingerprints go into a :class:`.dedup.FingerprintSet`, so memory stays bounded.
"""

from __future__ import annotations

import gc
import io
import json
import os
import random
import shutil
import subprocess
import sys
import threading
import time
from array import array
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from ..i18n import _
from ..processes import worker_command
from .errors import DatasetError

#: Logs at least this large (bytes) are converted on two cores; tests lower it.
PARALLEL_MIN_BYTES = 32 * 1024 * 1024
#: How far past the middle to look for a conversation boundary before giving up (bytes).
SCAN_BYTES = 8 * 1024 * 1024
#: Text handed to the parser at a time in a worker: smaller than the single-process path's, so that the two
#: workers together hold about as much as one process (same speed: the per-chunk cost is small).
WORKER_CHUNK_CHARS = 1 << 20
_ENCODINGS = ("utf-8", "utf-8-sig", "cp1252", "latin-1")


def usable(path: Path, fmt: str, tokenizer: Any) -> bool:
    """Whether :func:`.convert.convert_file` should take the two-process path for this input."""
    if fmt != "log" or tokenizer or not sys.executable or (os.cpu_count() or 1) < 2:
        return False
    try:
        return path.stat().st_size >= PARALLEL_MIN_BYTES
    except OSError:
        return False


def plan_split(path: Path, encoding: str, speakers: dict[str, str]) -> tuple[int, int] | None:
    """``(byte offset, line number)`` of a conversation start near the middle of ``path``, or ``None``."""
    from .formats.logs import label_pattern
    from .textio import fix_mojibake

    if encoding not in _ENCODINGS:
        return None
    rx = label_pattern(list(speakers))
    size = path.stat().st_size
    with open(path, "rb") as f:
        split = None
        for want in (1 << 16, SCAN_BYTES):  # usually found in the first few lines
            f.seek(size // 2)
            data = f.read(want)
            i = 0
            while True:
                i = data.find(b"\n\n", i)
                if i < 0 or i + 2 >= len(data):
                    break
                j = i + 2
                if data[j:j + 1] not in (b"\n", b"\r"):
                    end = data.find(b"\n", j)
                    line = data[j:end if end >= 0 else len(data)].decode(encoding, errors="aeon-fallback")
                    if rx.match(fix_mojibake(line)):
                        split = size // 2 + j
                        break
                i = j
            if split is not None or len(data) < want:
                break
        del data
        if split is None:
            return None
        # line number of the split in the decoded text: "\n", "\r\n" and a lone "\r" each end a line
        f.seek(0)
        lines, left, prev_cr = 1, split, False
        while left:
            block = f.read(min(left, 1 << 20))
            if not block:
                return None
            left -= len(block)
            lines += block.count(b"\n")
            if b"\r" in block:
                lines += block.count(b"\r") - block.count(b"\r\n")
                if prev_cr and block[:1] == b"\n":
                    lines -= 1  # "\r" | "\n" across two blocks: one line end, counted twice
            prev_cr = block[-1:] == b"\r"
    return split, lines


class _Slice(io.RawIOBase):
    """Bytes ``start:end`` of a file as a raw stream; ``pos`` is the absolute position (for progress)."""

    def __init__(self, path: Path, start: int, end: int) -> None:
        super().__init__()
        self.f = open(path, "rb", buffering=0)  # noqa: SIM115 - closed in close()
        self.f.seek(start)
        self.pos, self.end = start, end

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        n = min(len(b), self.end - self.pos)
        if n <= 0:
            return 0
        got = self.f.readinto(memoryview(b)[:n]) or 0
        self.pos += got
        return got

    def close(self) -> None:
        self.f.close()
        super().close()


def _work(task: dict[str, Any]) -> dict[str, Any]:
    """Run one part (in the worker process)."""
    from .formats.logs import LogParser
    from .pipeline import ImportSummary, LineBatch, Pipeline, RejectsFile, messages_line
    from .textio import TextFile

    path = Path(task["path"])
    summary = ImportSummary(name=path.name)
    rejects = RejectsFile(Path(task["rejects"]))
    out = open(task["lines"], "w", encoding="utf-8", newline="\n")  # noqa: SIM115
    lines = LineBatch(out)

    def sink(msgs: list[dict], rec: Any, h: str, domain: str) -> None:
        lines.add(messages_line(msgs))
        summary.imported += 1

    domains = {k: tuple(v) for k, v in task["domains"].items()}
    pipe = Pipeline(summary, rejects, pii=task["pii"], near_dup=task["near_dup"], min_chars=task["min_chars"],
                    max_chars=task["max_chars"], max_tokens=task["max_tokens"], count_tokens=None,
                    domains=domains, sink=sink, db_hash=False)
    kept, near_keys = array("q"), array("q")
    names: dict[str, int] = {}
    if task["track"]:
        def track(key: int, nkey: int, domain: str | None) -> None:
            if domain is None:
                near_keys.append(key)
            else:
                kept.append(key)
                kept.append(nkey)
                kept.append(names.setdefault(domain, len(names)))

        pipe.track = track
    sl = _Slice(path, task["start"], task["end"])
    handle = io.TextIOWrapper(io.BufferedReader(sl, 1 << 20), encoding=task["encoding"], errors="aeon-fallback")
    tf = TextFile(path=path, encoding=task["encoding"], handle=handle, raw=sl)
    parser = LogParser(path.name, task["speakers"], gap_minutes=task["gap_minutes"])
    parser.line = task["first_line"]
    progress_f = open(task["progress"], "r+b", buffering=0)  # noqa: SIM115 - closed below
    n = 0
    gc.disable()
    try:
        for chunk in tf.chunks(task["chunk_chars"]):
            for rec in parser.feed(tf.fix(chunk)):
                pipe.add(rec)
                n += 1
                if n & 1023 == 0:
                    progress_f.seek(0)
                    progress_f.write((sl.pos - task["start"]).to_bytes(8, "little"))
        for rec in parser.finish():
            pipe.add(rec)
        lines.flush()
        out.close()
        rejects.close()
        if task["track"]:
            with open(task["keys"], "wb") as f:
                kept.tofile(f)
            with open(task["near_keys"], "wb") as f:
                near_keys.tofile(f)
        else:  # part 1: the final fingerprint sets
            for fs, dest in ((pipe.exact, task["exact_set"]), (pipe.near, task["near_set"])):
                with open(dest, "wb") as f:
                    a = array("q")
                    for v in fs:
                        a.append(v)
                        if len(a) >= 1 << 20:
                            a.tofile(f)
                            a = array("q")
                    a.tofile(f)
    finally:
        tf.close()
        pipe.close()
        progress_f.close()
    return {"read": summary.read, "imported": summary.imported, "duplicates": summary.duplicates,
            "near_duplicates": summary.near_duplicates, "rejected": summary.rejected,
            "problems": summary.problems, "pii_replacements": summary.pii_replacements,
            "domains": summary.domains, "repaired": tf.repaired, "domain_names": list(names),
            "dropped": summary.dropped}


def _read_keys(path: str, width: int = 1) -> Iterator[array]:
    """The int64 keys of ``path`` in blocks (each a multiple of ``width`` keys long)."""
    with open(path, "rb") as f:
        while True:
            block = f.read(width * 8 * 65536)
            if not block:
                return
            a = array("q")
            a.frombytes(block)
            yield a


def _load_set(path: str) -> Any:
    from .dedup import FingerprintSet

    fs = FingerprintSet()
    with open(path, "rb") as f:
        while True:
            block = f.read(8 << 20)
            if not block:
                break
            a = array("q")
            a.frombytes(block)
            add = fs.add
            for v in a:
                add(v)
    return fs


def convert_parallel(path: Path, split: tuple[int, int], out_tmp: str, rejects_fh: Callable[[], Any],
                     summary: Any, *, encoding: str, speakers: dict[str, str], gap_minutes: float | None,
                     pii: bool, near_dup: bool, min_chars: int, max_chars: int | None, max_tokens: int,
                     domains: dict[str, tuple[str, ...]], progress: Callable[[int, int], None] | None,
                     cancel: threading.Event | None) -> bool:
    """Convert ``path`` in two worker processes into ``out_tmp`` (overwritten) and fill ``summary``'s counts.

    ``rejects_fh()`` opens the rejects file for writing (called only when something was rejected). Returns
    whether mojibake was repaired. Raises :class:`.pipeline.ImportCancelled` when ``cancel`` is set, :class:`DatasetError` when a
    worker fails."""
    import tempfile

    from ..i18n import current_language
    from .pipeline import ImportCancelled

    size = path.stat().st_size
    offset, first_line = split
    work = Path(tempfile.mkdtemp(prefix="aeon-convert-"))
    procs: list[subprocess.Popen] = []
    try:
        common = {"path": str(path), "encoding": encoding, "speakers": speakers, "gap_minutes": gap_minutes,
                  "pii": pii, "near_dup": near_dup, "min_chars": min_chars, "max_chars": max_chars,
                  "max_tokens": max_tokens, "domains": domains, "language": current_language(),
                  "chunk_chars": WORKER_CHUNK_CHARS}
        tasks = [dict(common, start=0, end=offset, first_line=1, track=False, lines=out_tmp,
                      exact_set=str(work / "exact1"), near_set=str(work / "near1")),
                 dict(common, start=offset, end=size, first_line=first_line, track=True,
                      lines=str(work / "lines2"), keys=str(work / "keys2"), near_keys=str(work / "near2"))]
        root = str(Path(__file__).resolve().parents[3])  # the folder that holds the aeon_studio package
        env = dict(os.environ, PYTHONHASHSEED=str(random.randrange(1, 2**32)),
                   PYTHONPATH=os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")])))
        for i, task in enumerate(tasks, 1):
            task.update(rejects=str(work / f"rejects{i}"), progress=str(work / f"progress{i}"),
                        result=str(work / f"result{i}.json"))
            Path(task["progress"]).write_bytes(bytes(8))
            (work / f"task{i}.json").write_text(json.dumps(task), encoding="utf-8")
            procs.append(subprocess.Popen(worker_command("aeon_studio.core.datasets.parallel",
                                                         str(work / f"task{i}.json")), env=env, stdin=subprocess.DEVNULL,
                                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE))
        while any(p.poll() is None for p in procs):
            if cancel is not None and cancel.is_set():
                raise ImportCancelled
            if progress:
                done = sum(int.from_bytes(Path(t["progress"]).read_bytes()[:8] or bytes(8), "little")
                           for t in tasks)
                progress(min(done, size), size)
            time.sleep(0.05)
        results = []
        for p, task in zip(procs, tasks):
            err = p.stderr.read().decode("utf-8", "replace") if p.stderr else ""
            res_path = Path(task["result"])
            res = json.loads(res_path.read_text(encoding="utf-8")) if res_path.exists() else None
            if p.returncode != 0 or res is None or "error" in res:
                msg = (res or {}).get("error") or err.strip().splitlines()[-1:] or ["?"]
                raise DatasetError(_("Converting {path} failed: {error}").format(
                    path=path, error=msg if isinstance(msg, str) else msg[0]),
                    hint=(res or {}).get("hint") or _("Check the free disk space and try again."))
            results.append(res)
        r1, r2 = results
        _merge(summary, r1, r2, tasks, near_dup, out_tmp, rejects_fh)
        if progress:
            progress(size, size)
        return bool(r1["repaired"] or r2["repaired"])
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
            p.wait()
            if p.stderr:
                p.stderr.close()
        shutil.rmtree(work, ignore_errors=True)


def _merge(summary: Any, r1: dict, r2: dict, tasks: list[dict], near_dup: bool, out_tmp: str,
           rejects_fh: Callable[[], Any]) -> None:
    """Replay dedup of part 2 against part 1's sets; append part 2's kept lines; fill the counts."""
    from .pipeline import MAX_PROBLEMS

    t1, t2 = tasks
    exact1 = _load_set(t1["exact_set"])
    near1 = _load_set(t1["near_set"]) if near_dup else None
    try:
        domains = dict(r1["domains"])
        names = r2["domain_names"]
        drop = bytearray(r2["imported"])  # 1 for a kept line of part 2 that is a duplicate overall
        dup_exact = dup_near = 0
        i = 0
        for kept in _read_keys(t2["keys"], 3):
            for key, nkey, d in zip(kept[0::3], kept[1::3], kept[2::3]):
                if key in exact1:
                    dup_exact += 1
                    drop[i] = 1
                elif near1 is not None and nkey in near1:
                    dup_near += 1
                    drop[i] = 1
                else:
                    name = names[d]
                    domains[name] = domains.get(name, 0) + 1
                i += 1
        # near-duplicates within part 2 that are exact duplicates of part 1
        moved = sum(1 for keys in _read_keys(t2["near_keys"]) for key in keys if key in exact1)
    finally:
        exact1.close()
        if near1 is not None:
            near1.close()
    summary.read += r1["read"] + r2["read"]
    summary.imported += r1["imported"] + r2["imported"] - dup_exact - dup_near
    summary.duplicates += r1["duplicates"] + r2["duplicates"] + dup_exact + moved
    summary.near_duplicates += r1["near_duplicates"] + r2["near_duplicates"] + dup_near - moved
    summary.rejected += r1["rejected"] + r2["rejected"]
    summary.pii_replacements += r1["pii_replacements"] + r2["pii_replacements"]
    summary.problems.extend((r1["problems"] + r2["problems"])[:MAX_PROBLEMS - len(summary.problems)])
    summary.domains.update(domains)
    for r in (r1, r2):
        for kind, n in r.get("dropped", {}).items():
            summary.dropped[kind] = summary.dropped.get(kind, 0) + n
    with open(out_tmp, "ab") as out, open(t2["lines"], "rb") as src:
        if not (dup_exact or dup_near):
            shutil.copyfileobj(src, out, 1 << 22)
        else:
            out.writelines(line for line, dropped in zip(src, drop) if not dropped)
    if r1["rejected"] or r2["rejected"]:
        dest = rejects_fh()
        for t in tasks:
            if os.path.exists(t["rejects"]):
                with open(t["rejects"], "rb") as src:
                    shutil.copyfileobj(src, dest, 1 << 22)


def main(argv: list[str] | None = None) -> int:
    """Worker entry point: ``python -m aeon_studio.core.datasets.parallel TASK.json``."""
    from ..errors import AeonError
    from ..i18n import set_language

    task = json.loads(Path((argv or sys.argv[1:])[0]).read_text(encoding="utf-8"))
    set_language(task.get("language"))
    try:
        res = _work(task)
    except AeonError as exc:
        res = {"error": str(exc), "hint": getattr(exc, "hint", None)}
    except OSError as exc:
        res = {"error": str(exc.strerror or exc)}
    Path(task["result"]).write_text(json.dumps(res), encoding="utf-8")
    return 1 if "error" in res else 0


if __name__ == "__main__":
    sys.exit(main())
