"""Log conversion: ``aeon-studio dataset convert`` vs the seed guide's naive converter, in one run.

Generates a speaker-labelled log (``VOCÊ:``/``AEON:``, multi-line replies, blank lines between conversations;
~200 MB by default, ``--mb N`` for a smaller run) in a temporary folder that is deleted afterwards, then runs,
each in its own child process:

- baseline: read all lines into memory, pair each ``VOCÊ:`` line with the next ``AEON:`` line, write JSONL;
- Aeon Studio: ``python -m aeon_studio dataset convert LOG --out OUT.jsonl`` (the real CLI path: whole
  multi-turn conversations, continuation lines, validation, rejects file, exact and near-duplicate removal,
  domain tags).

Prints both wall times and CPU times, the speed ratio (baseline time / ours; ≥ 1 means at least as fast), both
peak RSS figures and which path ours took (large logs are converted by two worker processes). Peak RSS is the
maximum over time of the RSS summed over every process of the command's tree (psutil, polled every 50 ms), so
the parallel path's workers count together. Goal: ratio ≥ 1 and our peak RSS < 200 MB whatever the input size.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

BASELINE = r"""
import json, sys
src, out = sys.argv[1], sys.argv[2]
with open(src, encoding="utf-8") as f:
    lines = f.readlines()
pairs = []
for i in range(len(lines) - 1):
    if lines[i].startswith("VOCÊ:") and lines[i + 1].startswith("AEON:"):
        pairs.append({"messages": [{"role": "user", "content": lines[i][5:].strip()},
                                   {"role": "assistant", "content": lines[i + 1][5:].strip()}]})
with open(out, "w", encoding="utf-8") as f:
    for p in pairs:
        f.write(json.dumps(p, ensure_ascii=False) + "\n")
print(len(pairs))
"""

WORDS = ("python erro instalar servidor função como posso ajudar você hoje obrigado claro aqui está exemplo "
         "arquivo pasta senha conta pedido problema contrato lei dados modelo treino memória resposta pergunta "
         "the install error server code help please thanks sure here example file folder account order "
         "não também então porque quando onde muito bem ótimo é à ção").split()


def _sentence(rng: random.Random, lo: int, hi: int) -> str:
    words = rng.choices(WORDS, k=rng.randint(lo, hi))
    return " ".join(words).capitalize() + rng.choice(".?!")


def generate(path: Path, mb: float, seed: int = 7) -> int:
    """Write a realistic log of about ``mb`` megabytes; returns the number of conversations."""
    rng = random.Random(seed)
    target = int(mb * 1024 * 1024)
    size, convs = 0, 0
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        buf: list[str] = []
        while size < target:
            lines = []
            for _turn in range(rng.randint(1, 5)):
                lines.append("VOCÊ: " + _sentence(rng, 4, 18))
                if rng.random() < 0.15:
                    lines.append(_sentence(rng, 3, 10))  # the user's message goes on
                lines.append("AEON: " + _sentence(rng, 8, 30))
                for _extra in range(rng.choice((0, 0, 0, 1, 2, 3))):
                    lines.append(("  " if rng.random() < 0.3 else "") + _sentence(rng, 4, 16))
            block = "\n".join(lines) + "\n\n"
            buf.append(block)
            size += len(block.encode("utf-8"))
            convs += 1
            if len(buf) >= 2000:
                f.write("".join(buf))
                buf.clear()
        f.write("".join(buf))
    return convs


def run(cmd: list[str], env: dict[str, str]) -> dict:
    """Run ``cmd``; wall time, CPU time (user + system of the whole process tree), and peak RSS as the maximum over
    time of the RSS summed over every process of the tree running at that moment (polled every 50 ms)."""
    import psutil

    ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    root = psutil.Process(proc.pid)
    peak, most = 0, 1
    with proc:
        import threading

        outs: dict[str, str] = {}
        readers = [threading.Thread(target=lambda k=k, f=f: outs.__setitem__(k, f.read()))
                   for k, f in (("out", proc.stdout), ("err", proc.stderr))]
        for t in readers:
            t.start()
        while proc.poll() is None:
            try:
                tree = [root, *root.children(recursive=True)]
            except psutil.NoSuchProcess:
                break
            total = 0
            for p in tree:
                try:
                    total += p.memory_info().rss
                except psutil.NoSuchProcess:
                    pass
            peak, most = max(peak, total), max(most, len(tree))
            time.sleep(0.05)
        proc.wait()
        for t in readers:
            t.join()
    dt = time.perf_counter() - t0
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (ru.ru_utime - ru0.ru_utime) + (ru.ru_stime - ru0.ru_stime)
    if proc.returncode != 0:
        raise SystemExit(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{outs.get('err', '')[-2000:]}")
    return {"s": dt, "cpu": cpu, "rss_kb": peak // 1024, "max_child_kb": ru.ru_maxrss, "procs": most,
            "out": outs.get("out", "")[-2000:]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mb", type=float, default=200, help="size of the generated log in MB (default 200)")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="aeon-bench-convert-"))
    try:
        log = tmp / "conversation.log"
        t0 = time.perf_counter()
        convs = generate(log, args.mb)
        size_mb = log.stat().st_size / 2**20
        print(f"generated {size_mb:.0f} MB, {convs} conversations in {time.perf_counter() - t0:.1f} s")
        env = dict(os.environ, AEON_STUDIO_HOME=str(tmp / "home"), PYTHONPATH=str(ROOT))
        base = run([sys.executable, "-c", BASELINE, str(log), str(tmp / "baseline.jsonl")], env)
        # the first child: the kernel's peak for it is exact (polling could miss a short spike)
        base["rss_kb"] = max(base["rss_kb"], base["max_child_kb"])
        ours = run([sys.executable, "-m", "aeon_studio", "dataset", "convert", str(log), "--out",
                    str(tmp / "ours.jsonl"), "--json"], env)
        summary = json.loads(ours["out"].strip().splitlines()[-1])
        ratio = base["s"] / ours["s"]
        print(f"baseline (readlines + pair VOCÊ:/AEON: lines): {base['s']:.2f} s (CPU {base['cpu']:.2f} s), peak RSS "
              f"{base['rss_kb'] / 1024:.0f} MB, {base['out'].strip()} pairs (multi-line text and context lost)")
        path = (f"two-process path ({ours['procs']} processes at most)" if ours["procs"] > 1
                else "single-process path")
        print(f"aeon-studio dataset convert:                   {ours['s']:.2f} s (CPU {ours['cpu']:.2f} s), peak RSS "
              f"{ours['rss_kb'] / 1024:.0f} MB summed over its processes, {path}, "
              f"{summary['imported']} conversations, "
              f"{summary['duplicates']} duplicates, {summary['near_duplicates']} near-duplicates, "
              f"{summary['rejected']} rejected")
        print(f"speed ratio baseline/ours: {ratio:.2f}x wall, {base['cpu'] / ours['cpu']:.2f}x CPU "
              f"(goal ≥ 1: {'OK' if ratio >= 1 else 'MISSED'}); "
              f"our peak RSS {ours['rss_kb'] / 1024:.0f} MB (goal < 200 MB: "
              f"{'OK' if ours['rss_kb'] < 200 * 1024 else 'MISSED'})")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
