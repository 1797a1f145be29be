"""The two-process log conversion gives byte-identical output, rejects and summary to the single-process path."""

from __future__ import annotations

import dataclasses
import random
import re
import threading
from pathlib import Path

import pytest

from aeon_studio.core.datasets import parallel
from aeon_studio.core.datasets.importers import convert_file


def _log(seed: int) -> str:
    rng = random.Random(seed)
    words = "python erro instalar servidor função ajudar você obrigado arquivo senha dados modelo".split()

    def sent() -> str:
        return " ".join(rng.choices(words, k=rng.randint(3, 9))).capitalize() + rng.choice(".?!")

    convs: list[str] = []
    for i in range(400):
        lines = []
        for _t in range(rng.randint(1, 3)):
            lines.append("VOCÊ: " + sent())
            if rng.random() < 0.3:
                lines.append(sent())  # multi-line user turn
            lines.append("AEON: " + sent() + f" #{i}")
            if rng.random() < 0.3:
                lines.append("  " + sent())
        convs.append("\n".join(lines))
    # duplicates and near-duplicates of the first half, late in the file (across the split)
    convs.append("VOCÊ: Primeira pergunta?\nAEON: Primeira resposta.")
    convs.insert(3, "VOCÊ: Primeira pergunta?\nAEON: Primeira resposta.")
    convs.insert(5, "VOCÊ: Oi, tudo bem?\nAEON: Tudo ótimo.")
    convs.append("VOCÊ: oi tudo bem\nAEON: tudo ótimo")  # near, across the split
    # near-duplicate inside part 2 that is an exact duplicate of part 1 (counts move from near to exact)
    convs.insert(8, "VOCÊ: Qual é a senha?\nAEON: Não sei.")
    convs.append("VOCÊ: qual é a SENHA\nAEON: não sei")
    convs.append("VOCÊ: Qual é a senha?\nAEON: Não sei.")
    # kept in part 2, then a near-duplicate of it later in part 2
    convs.append("VOCÊ: Algo novo aqui.\nAEON: Sim.")
    convs.append("VOCÊ: algo novo aqui\nAEON: sim")
    # rejects on both sides: orphan text after a separator, too long, one-sided
    convs.insert(10, "-----\ntexto sem rótulo")
    convs.insert(12, "VOCÊ: " + "longo " * 400 + "\nAEON: ok")
    convs.insert(14, "AEON: só a resposta")
    convs.append("=== Sessão 2 ===\norfão no fim")
    convs.append("VOCÊ: " + "muito longo " * 400 + "\nAEON: ok")
    convs.append("AEON: resposta sozinha")
    convs.extend(convs[20:40])  # exact repeats of the first part
    return "texto no começo sem rótulo\n\n" + "\n\n".join(convs) + "\n"


def _run(tmp_path: Path, src: Path, tag: str, **kw):
    out = tmp_path / f"{tag}.jsonl"
    res = convert_file(src, out, max_chars=1500, **kw)
    rejects = res.rejects_path.read_bytes() if res.rejects_path else None
    data = dataclasses.asdict(res)
    for k in ("out_path", "rejects_path", "seconds", "name", "warnings"):
        data.pop(k)
    warnings = [w.replace(str(tmp_path), "") .replace(tag, "X") for w in res.warnings]
    return out.read_bytes(), rejects, data, warnings


@pytest.mark.parametrize(("seed", "kw", "chunk"), [(1, {}, 1 << 20), (2, {"near_dup": False}, 1 << 20),
                                                    (3, {"gap_minutes": 0}, 1 << 20), (6, {}, 997)])
def test_parallel_log_conversion_is_identical(tmp_path, monkeypatch, seed, kw, chunk):
    src = tmp_path / "chat.log"
    src.write_text(_log(seed), encoding="utf-8")
    monkeypatch.setattr(parallel, "WORKER_CHUNK_CHARS", chunk)  # 997: many chunks per part in the workers
    monkeypatch.setattr(parallel, "PARALLEL_MIN_BYTES", 1 << 40)
    single = _run(tmp_path, src, "single", **kw)
    monkeypatch.setattr(parallel, "PARALLEL_MIN_BYTES", 0)
    calls = []
    real = parallel.convert_parallel
    monkeypatch.setattr(parallel, "convert_parallel", lambda *a, **k: calls.append(a[1]) or real(*a, **k))
    seen = []
    par = _run(tmp_path, src, "parallel", progress=lambda d, t: seen.append((d, t)), **kw)
    assert calls and 0 < calls[0][0] < src.stat().st_size  # the two-process path ran, cut inside the file
    assert seen and seen[-1][0] == seen[-1][1]
    assert par[0] == single[0]
    assert par[1] == single[1] and single[1] is not None
    assert par[2] == single[2]
    assert par[3] == single[3]
    s = single[2]
    assert s["duplicates"] >= 20 and s["rejected"] >= 6
    if kw.get("near_dup", True):
        assert s["near_duplicates"] >= 2


@pytest.mark.parametrize("chunk", [1 << 20, 997])
def test_parallel_reports_the_same_garbled_lines(tmp_path, monkeypatch, chunk):
    """Lines that are not turns (junk, misspelt labels) are left out and reported by both paths alike, also when
    a worker's chunk ends inside their conversation (997 characters)."""
    lines = _log(11).split("\n")
    aeon = [i for i, ln in enumerate(lines) if ln.startswith("AEON: ")]
    bad = {aeon[30]: "\x00\x01\x02\ufffd lixo", aeon[60]: "AEOM: rótulo quebrado",
           aeon[-40]: "VOCE; outro rótulo", aeon[-20]: "\ufffd\ufffd\ufffd"}
    for i in sorted(bad, reverse=True):
        lines.insert(i + 1, bad[i])
    src = tmp_path / "chat.log"
    src.write_text("\n".join(lines), encoding="utf-8")
    monkeypatch.setattr(parallel, "WORKER_CHUNK_CHARS", chunk)
    monkeypatch.setattr(parallel, "PARALLEL_MIN_BYTES", 1 << 40)
    single = _run(tmp_path, src, "single")
    monkeypatch.setattr(parallel, "PARALLEL_MIN_BYTES", 0)
    split = parallel.plan_split(src, "utf-8", {"VOCÊ": "user", "AEON": "assistant"})
    assert split is not None
    par = _run(tmp_path, src, "parallel")
    assert par == single
    want = [f"chat.log:{i + 2 + k}" for k, i in enumerate(sorted(bad))]  # 1-based, after the earlier inserts
    assert int(want[1].split(":")[1]) < split[1] < int(want[2].split(":")[1])  # two on each side of the cut
    reported = [p for p in single[2]["problems"] if "left out" in p]
    assert [p.split(": ", 1)[0] for p in reported] == want
    assert "lixo" in reported[0] and "AEOM" in reported[1] and "VOCE" in reported[2]
    assert b"lixo" not in par[0] and b"AEOM" not in par[0] and "\ufffd".encode() not in par[0]


def test_parallel_timestamps_and_time_gaps(tmp_path, monkeypatch):
    rng = random.Random(8)
    clock = [600]

    def stamp(m: re.Match) -> str:
        clock[0] += rng.choice((1, 2, 5, 45))  # 45 minutes: a gap that ends the conversation
        day, minute = divmod(clock[0], 1440)
        return f"[{1 + day % 28:02d}/03/2025 {minute // 60:02d}:{minute % 60:02d}] {m.group(1)}"

    text = re.sub(r"(?m)^(VOCÊ|AEON):", lambda m: stamp(m) + ":", _log(7))
    src = tmp_path / "chat.log"
    src.write_text(text, encoding="utf-8")
    monkeypatch.setattr(parallel, "PARALLEL_MIN_BYTES", 1 << 40)
    single = _run(tmp_path, src, "single")
    monkeypatch.setattr(parallel, "PARALLEL_MIN_BYTES", 0)
    assert parallel.plan_split(src, "utf-8", {"VOCÊ": "user", "AEON": "assistant"}) is not None
    assert _run(tmp_path, src, "parallel") == single


def test_parallel_mixed_line_ends_keep_line_refs(tmp_path, monkeypatch):
    # "\r\n" and lone "\r" inside conversations before the cut: the cut's line number must count them
    text = _log(9).replace("\nAEON:", "\r\nAEON:").replace("\n  ", "\r  ")
    src = tmp_path / "chat.log"
    src.write_bytes(text.encode("utf-8"))
    monkeypatch.setattr(parallel, "PARALLEL_MIN_BYTES", 1 << 40)
    single = _run(tmp_path, src, "single")
    monkeypatch.setattr(parallel, "PARALLEL_MIN_BYTES", 0)
    assert parallel.plan_split(src, "utf-8", {"VOCÊ": "user", "AEON": "assistant"}) is not None
    assert _run(tmp_path, src, "parallel") == single


def test_parallel_cp1252_mojibake_crlf_free_and_line_refs(tmp_path, monkeypatch):
    text = _log(4).replace("VOCÊ: Oi, tudo bem?", "VOCÃŠ: Oi, tudo bem? Ã©")
    src = tmp_path / "chat.log"
    src.write_bytes(text.encode("cp1252", errors="replace"))
    monkeypatch.setattr(parallel, "PARALLEL_MIN_BYTES", 1 << 40)
    single = _run(tmp_path, src, "single")
    monkeypatch.setattr(parallel, "PARALLEL_MIN_BYTES", 0)
    assert parallel.plan_split(src, "cp1252", {"VOCÊ": "user", "AEON": "assistant"}) is not None
    par = _run(tmp_path, src, "parallel")
    assert par == single
    assert single[2]["encodings"] == {"chat.log": "cp1252"}


def test_parallel_cancel_leaves_no_output(tmp_path, monkeypatch):
    src = tmp_path / "chat.log"
    src.write_text(_log(5), encoding="utf-8")
    monkeypatch.setattr(parallel, "PARALLEL_MIN_BYTES", 0)
    cancel = threading.Event()
    cancel.set()
    res = convert_file(src, tmp_path / "o.jsonl", cancel=cancel)
    assert res.cancelled
    assert not (tmp_path / "o.jsonl").exists()
    assert not list(tmp_path.glob(".o.jsonl.*"))


def test_fingerprint_set_iterates_and_finds_spilled_values():
    from aeon_studio.core.datasets.dedup import FingerprintSet

    values = [0, 1, -1, 2**63 - 1, -(2**63), 12345, -98765, 2**40]
    with FingerprintSet(cap=3) as fs:
        for v in values:
            assert fs.add(v)
        assert fs.db is not None  # spilled to SQLite
        assert sorted(fs) == sorted(values)
        assert all(v in fs for v in values)
        assert 7 not in fs and not fs.add(-1)
