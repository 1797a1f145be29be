"""Dashboard query time over 100k ratings (goal ≤ 200 ms per grouping), against a plain Python aggregation.

    .venv/bin/python bench/dashboard.py [--ratings 100000] [--repeat 5] [--json]

Seeds a scratch AEON_STUDIO_HOME with ``aeon_studio.app.demo.dashboard.seed_ratings`` (ten weeks, two
personas, three adapter versions, surveys, arena votes), then times :func:`aeon_studio.core.stats.group_stats`
per grouping (median of ``--repeat`` runs after one warm-up) and the baseline: the same Likert numbers from
every rating row fetched into Python and summed in dicts.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


#: CPU milliseconds of each timed call (by name), next to the wall time: on a busy machine the wall time
#: mostly measures waiting for a core.
CPU_MS: dict[str, float] = {}


def _median_ms(fn, repeat: int, name: str = "") -> float:
    fn()  # warm-up: SQLite's page cache, scipy's import
    times, cpu = [], []
    for _i in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        fn()
        times.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
    CPU_MS[name] = round(statistics.median(cpu), 1)
    return statistics.median(times)


def _python_baseline(db) -> dict:
    """Likert count, mean, sum of squares and distribution per adapter, aggregated in Python."""
    from sqlalchemy import text

    with db.engine.connect() as conn:
        rows = conn.execute(text("SELECT r.likert, m.adapter_id FROM rating r JOIN message m ON m.id = r.message_id"))
        out: dict = {}
        for likert, adapter in rows:
            g = out.setdefault(adapter or "base", [0, 0, 0, [0] * 5])
            g[0] += 1
            g[1] += likert
            g[2] += likert * likert
            g[3][likert - 1] += 1
    return {k: (n, s / n) for k, (n, s, _sq, _d) in out.items()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ratings", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    os.environ["AEON_STUDIO_HOME"] = tempfile.mkdtemp(prefix="aeon-bench-dashboard-")

    from aeon_studio.app.demo.dashboard import PERSONA, seed_ratings
    from aeon_studio.core.stats import compare_versions, group_stats
    from aeon_studio.core.storage import get_database

    db = get_database()
    t = time.perf_counter()
    seed_ratings(db, ratings=args.ratings)
    seed_s = time.perf_counter() - t
    result = {"ratings": args.ratings, "seed_s": round(seed_s, 1), "goal_ms": 200}
    for by in ("adapter", "persona", "week"):
        result[f"{by}_ms"] = round(_median_ms(lambda by=by: group_stats(by, db=db), args.repeat, f"{by}_ms"), 1)
    result["week_one_persona_ms"] = round(_median_ms(lambda: group_stats("week", persona=PERSONA, db=db),
                                                     args.repeat, "week_one_persona_ms"), 1)
    result["compare_ms"] = round(_median_ms(lambda: compare_versions(PERSONA, db=db), args.repeat, "compare_ms"), 1)
    result["python_baseline_ms"] = round(_median_ms(lambda: _python_baseline(db), args.repeat,
                                                    "python_baseline_ms"), 1)
    result["cpu_ms"] = dict(CPU_MS)
    result["load_average"] = round(os.getloadavg()[0], 1)
    # same numbers both ways, or the timing means nothing
    sql = {g.key: (g.likert_n, round(g.likert_mean, 3)) for g in group_stats("adapter", db=db)}
    assert sql == {k: (n, round(m, 3)) for k, (n, m) in _python_baseline(db).items()}, "SQL and Python disagree"
    result["ratio_adapter_vs_python"] = round(result["python_baseline_ms"] / result["adapter_ms"], 2)
    worst = max(result[f"{by}_ms"] for by in ("adapter", "persona", "week"))
    result["within_goal"] = worst <= 200
    if args.json:
        print(json.dumps(result))
        return 0
    print(f"{args.ratings} ratings seeded in {seed_s:.1f} s")
    for key in ("adapter_ms", "persona_ms", "week_ms", "week_one_persona_ms", "compare_ms"):
        print(f"  group_stats {key[:-3]:<18} {result[key]:8.1f} ms  (CPU {CPU_MS[key]:.1f} ms)")
    print(f"  python baseline (Likert per adapter only) {result['python_baseline_ms']:.1f} ms; "
          f"SQL by adapter is {result['ratio_adapter_vs_python']}x faster and also computes NPS, usability, arena")
    print(f"goal ≤ 200 ms per grouping: {'met' if result['within_goal'] else 'NOT met'} (worst {worst:.1f} ms; "
          f"load average {result['load_average']} on {os.cpu_count()} cores)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
