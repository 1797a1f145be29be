"""Satisfaction per adapter version, persona or week: Likert, NPS, usability and arena votes.

Everything is read with SQL aggregates (one ``GROUP BY`` per measure), so 100k ratings take well under the
dashboard's 200 ms budget (``bench/dashboard.py``). Read-only: nothing here writes to the database.

Where each measure comes from:

- **Likert 1–5**: ``rating`` joined to the rated reply (``message``), which records the adapter that answered
  (``adapter_id``; none means the base model, reported as ``"base"``) and its persona. Grouped by the time
  of the rating.
- **Usability 1–7 and NPS 0–10**: ``survey_answer``. An answer is about the app, not one reply, so for a
  version or a persona it counts for the reply shown last before it was given (the survey is offered after
  rating replies); answers given before any reply count only in weekly totals without filters.
- **Arena win rate**: voted ``arena_match`` rows (a tie is half a win, "both bad" is left out, as in
  :func:`aeon_studio.core.evaluation.arena.stats`). Per version: that version's share of its votes. Per persona
  or week: how often the *newer* of the two versions won, the question "is it getting better?".
- **Promotion dates**: ``adapter_binding`` (every change of the version a persona answers with), with who
  decided from the adapter's verdict.
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import text

from .errors import ValidationError
from .i18n import _
from .storage.engine import Database, get_database

#: Ways to group the numbers (``aeon-studio stats --by``).
GROUP_BY = ("adapter", "persona", "week")
#: Below this many ratings a mean is shown as "not enough ratings yet": its interval is too wide to read.
MIN_RATINGS = 10
#: The model reference of replies given without an adapter (as in the arena).
BASE = "base"

#: SQL for the group key of a rating (``r``: rating, ``m``: the rated reply, ``c``: its conversation).
_RATING_KEY = {
    "adapter": f"COALESCE(m.adapter_id, '{BASE}')",
    "persona": "COALESCE(m.persona_key, c.persona_key)",
    # SQLite's 'weekday 0' moves to the coming Sunday (or stays on one): six days back is that week's Monday.
    "week": "date(r.created_at, 'weekday 0', '-6 days')",
}


@dataclass(frozen=True)
class GroupStats:
    """The numbers of one group: an adapter version (``"base"`` for the base model), a persona, or a week
    (the ISO date of its Monday, UTC). ``likert_low``/``likert_high`` bound the mean's 95 % confidence
    interval; ``enough`` is False under :data:`MIN_RATINGS` ratings ("not enough ratings yet")."""

    key: str
    likert_mean: float | None = None
    likert_low: float | None = None
    likert_high: float | None = None
    likert_sd: float | None = None
    likert_n: int = 0
    likert_distribution: dict[int, int] = field(default_factory=lambda: {i: 0 for i in range(1, 6)})
    nps: float | None = None
    nps_n: int = 0
    promoters: int = 0
    passives: int = 0
    detractors: int = 0
    usability_mean: float | None = None
    usability_n: int = 0
    arena_win_rate: float | None = None
    arena_n: int = 0
    enough: bool = False

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON types (the distribution's keys as strings "1".."5")."""
        d = asdict(self)
        d["likert_distribution"] = {str(k): v for k, v in self.likert_distribution.items()}
        return d


@dataclass(frozen=True)
class VersionChange:
    """A persona started answering with ``adapter_id`` (None: the base model again) at ``at`` (UTC).
    ``by`` is ``"gate"`` or ``"user"`` when the adapter's verdict says who promoted it."""

    persona_key: str
    adapter_id: str | None
    at: datetime
    by: str | None = None


@dataclass(frozen=True)
class VersionComparison:
    """The version a persona answers with now against the one before it, on Likert ratings.

    ``verdict``: ``"better"`` / ``"worse"`` (the 95 % interval of the difference leaves out 0),
    ``"no-difference"`` (it does not), ``"not-enough"`` (a side has fewer than :data:`MIN_RATINGS` ratings),
    ``"no-previous"`` (the persona never answered with another version)."""

    persona_key: str
    current: str
    previous: str | None
    current_stats: GroupStats
    previous_stats: GroupStats | None
    difference: float | None
    low: float | None
    high: float | None
    verdict: str


def _t(df: float) -> float:
    """The 97.5 % quantile of Student's t (a 95 % two-sided interval)."""
    from scipy.special import stdtrit  # scipy is imported only when a mean is computed

    return float(stdtrit(df, 0.975))


def _sql_time(t: datetime) -> str:
    """``t`` as SQLite holds SQLModel's datetimes (naive UTC text), so they compare as strings."""
    if t.tzinfo is not None:
        t = t.astimezone(timezone.utc).replace(tzinfo=None)
    return t.strftime("%Y-%m-%d %H:%M:%S.%f")


def parse_since(value: str, now: datetime | None = None) -> datetime:
    """``"30d"``, ``"8w"``, ``"12h"`` (that long before ``now``) or a date ``"2026-11-01"`` → UTC datetime.

    Raises:
        ValidationError: Anything else, naming the value and the forms accepted.
    """
    now = now or datetime.now(timezone.utc)
    value = (value or "").strip()
    m = re.fullmatch(r"(\d+)\s*([dwh])", value, re.IGNORECASE)
    if m:
        n, unit = int(m.group(1)), m.group(2).lower()
        return now - {"d": timedelta(days=n), "w": timedelta(weeks=n), "h": timedelta(hours=n)}[unit]
    try:
        return datetime.combine(date.fromisoformat(value), datetime.min.time(), timezone.utc)
    except ValueError:
        raise ValidationError(
            _("--since: '{value}' is not a period or a date.").format(value=value),
            hint=_("Use a number of days, weeks or hours ('30d', '8w', '12h') or a date (2026-11-01).")) from None


def _check_by(by: str) -> None:
    if by not in GROUP_BY:
        raise ValidationError(_("Cannot group by '{by}'.").format(by=by),
                              hint=_("Use one of: {choices}.").format(choices=", ".join(GROUP_BY)))


def _likert(db: Database, by: str, where: str, params: dict) -> dict[str, dict[str, Any]]:
    counts = ", ".join(f"SUM(r.likert = {i})" for i in range(1, 6))
    sql = (f"SELECT {_RATING_KEY[by]} AS k, COUNT(*), AVG(r.likert), SUM(r.likert * r.likert), {counts} "
           "FROM rating r JOIN message m ON m.id = r.message_id "
           # the conversation only when the persona is asked for (a reply stored without its persona has it there)
           + ("JOIN conversation c ON c.id = m.conversation_id " if by == "persona" or ":persona" in where else "")
           + f"WHERE 1 = 1 {where} GROUP BY k")
    out: dict[str, dict[str, Any]] = {}
    with db.engine.connect() as conn:
        for k, n, mean, squares, *hist in conn.execute(text(sql), params):
            if k is None:
                continue
            sd = math.sqrt(max(0.0, (squares - n * mean * mean) / (n - 1))) if n > 1 else None
            half = _t(n - 1) * sd / math.sqrt(n) if sd is not None else None
            out[k] = {"likert_n": n, "likert_mean": round(mean, 3), "likert_sd": None if sd is None else round(sd, 3),
                      "likert_low": None if half is None else round(max(1.0, mean - half), 3),
                      "likert_high": None if half is None else round(min(5.0, mean + half), 3),
                      "likert_distribution": {i + 1: int(c or 0) for i, c in enumerate(hist)},
                      "enough": n >= MIN_RATINGS}
    return out


def _surveys(db: Database, by: str, since: str | None, persona: str | None,
             adapter: str | None) -> dict[str, dict[str, Any]]:
    params: dict[str, Any] = {"since": since or "", "persona": persona, "adapter": adapter}
    if by == "week" and persona is None and adapter is None:
        sql = ("SELECT date(created_at, 'weekday 0', '-6 days') AS k, kind, COUNT(*), AVG(value), "
               "SUM(value >= 9), SUM(value BETWEEN 7 AND 8), SUM(value <= 6) FROM survey_answer "
               "WHERE created_at >= :since GROUP BY k, kind")
    else:
        # Each answer belongs to the reply shown last before it: one look-up per answer in the index of reply
        # times (``ix_message_reply_time``, made by storage), rather than ordering every reply.
        key = {"adapter": _RATING_KEY["adapter"], "persona": _RATING_KEY["persona"],
               "week": "date(ev.created_at, 'weekday 0', '-6 days')"}[by]
        sql = (f"SELECT {key} AS k, ev.kind, COUNT(*), AVG(ev.value), SUM(ev.value >= 9), "
               "SUM(ev.value BETWEEN 7 AND 8), SUM(ev.value <= 6) FROM survey_answer ev "
               "JOIN message m ON m.id = (SELECT id FROM message WHERE role = 'assistant' "
               "AND created_at <= ev.created_at ORDER BY created_at DESC LIMIT 1) "
               "JOIN conversation c ON c.id = m.conversation_id WHERE ev.created_at >= :since "
               f"AND (:persona IS NULL OR {_RATING_KEY['persona']} = :persona) "
               f"AND (:adapter IS NULL OR {_RATING_KEY['adapter']} = :adapter) GROUP BY k, ev.kind")
    out: dict[str, dict[str, Any]] = {}
    with db.engine.connect() as conn:
        for k, kind, n, mean, promoters, passives, detractors in conn.execute(text(sql), params):
            if k is None:
                continue
            row = out.setdefault(k, {})
            if kind == "usability":
                row.update(usability_n=n, usability_mean=round(mean, 3))
            elif kind == "nps":  # % promoters (9–10) − % detractors (0–6)
                row.update(nps_n=n, promoters=promoters, passives=passives, detractors=detractors,
                           nps=round(100.0 * (promoters - detractors) / n, 1))
    return out


def _week(t: datetime) -> str:
    return (t.date() - timedelta(days=t.weekday())).isoformat()


def _arena(db: Database, by: str, since: str | None, persona: str | None,
           adapter: str | None) -> dict[str, dict[str, Any]]:
    # Votes are few (one per comparison the user judged): summed here rather than in a three-way SQL join.
    sql = ("SELECT am.persona_key, am.model_a, am.model_b, am.vote, COALESCE(am.voted_at, am.created_at), "
           "COALESCE(a.created_at, ''), COALESCE(b.created_at, '') FROM arena_match am "
           "LEFT JOIN adapter a ON a.id = am.model_a LEFT JOIN adapter b ON b.id = am.model_b "
           "WHERE am.vote IN ('a', 'b', 'tie') AND COALESCE(am.voted_at, am.created_at) >= :since "
           "AND (:persona IS NULL OR am.persona_key = :persona)")
    tally: dict[str, list[float]] = {}
    with db.engine.connect() as conn:
        rows = conn.execute(text(sql), {"since": since or "", "persona": persona}).all()
    for persona_key, model_a, model_b, vote, at, born_a, born_b in rows:
        score_a = {"a": 1.0, "b": 0.0, "tie": 0.5}[vote]
        sides = [(model_a, score_a), (model_b, 1.0 - score_a)]
        if adapter is not None:  # that version's own record
            sides = [side for side in sides if side[0] == adapter]
        elif by != "adapter":  # the newer version's record (the base model is older than any adapter)
            sides = [sides[0] if born_a > born_b else sides[1]]
        for model, score in sides:
            key = {"adapter": model, "persona": persona_key,
                   "week": _week(datetime.fromisoformat(str(at)))}[by]
            if key is not None:
                t = tally.setdefault(key, [0.0, 0])
                t[0] += score
                t[1] += 1
    return {k: {"arena_win_rate": round(won / n, 3), "arena_n": int(n)} for k, (won, n) in tally.items()}


def group_stats(by: str, *, since: datetime | None = None, persona: str | None = None, adapter: str | None = None,
                db: Database | None = None) -> list[GroupStats]:
    """The satisfaction numbers grouped ``by`` ``"adapter"``, ``"persona"`` or ``"week"``.

    Args:
        by: One of :data:`GROUP_BY`.
        since: Only ratings, answers and votes from then on (None: all).
        persona: Only this persona's replies and comparisons.
        adapter: Only this version's replies (``"base"``: replies without an adapter) and its arena record.
        db: The database (default: the settings' one).

    Returns:
        One :class:`GroupStats` per group that has any number, sorted by key (weeks oldest first).

    Raises:
        ValidationError: ``by`` is not one of :data:`GROUP_BY`.
    """
    _check_by(by)
    db = db or get_database()
    since_s = _sql_time(since) if since is not None else None
    where, params = "", {}
    if since_s is not None:
        where += " AND r.created_at >= :since"
        params["since"] = since_s
    if persona is not None:
        where += f" AND {_RATING_KEY['persona']} = :persona"
        params["persona"] = persona
    if adapter is not None:
        where += f" AND {_RATING_KEY['adapter']} = :adapter"
        params["adapter"] = adapter
    merged: dict[str, dict[str, Any]] = {}
    for part in (_likert(db, by, where, params), _surveys(db, by, since_s, persona, adapter),
                 _arena(db, by, since_s, persona, adapter)):
        for k, values in part.items():
            merged.setdefault(k, {}).update(values)
    return [GroupStats(key=k, **v) for k, v in sorted(merged.items())]


def version_changes(persona: str | None = None, *, db: Database | None = None) -> list[VersionChange]:
    """Every change of the version a persona answers with (all personas when None), oldest first."""
    db = db or get_database()
    sql = ("SELECT b.persona_key, b.adapter_id, b.created_at, json_extract(a.verdict, '$.by') "
           "FROM adapter_binding b LEFT JOIN adapter a ON a.id = b.adapter_id "
           "WHERE (:persona IS NULL OR b.persona_key = :persona) ORDER BY b.id")
    with db.engine.connect() as conn:
        rows = conn.execute(text(sql), {"persona": persona}).all()
    return [VersionChange(p, adapter_id, datetime.fromisoformat(str(at)).replace(tzinfo=timezone.utc),
                          by if by in ("gate", "user") else None) for p, adapter_id, at, by in rows]


def compare_versions(persona: str, *, since: datetime | None = None, db: Database | None = None,
                     groups: list[GroupStats] | None = None) -> VersionComparison:
    """The persona's current version against the one before it (Welch's interval for the difference of the
    Likert means): is the new version rated better? ``groups``: the persona's ``group_stats("adapter")`` for the
    same period when the caller has them already (not queried again)."""
    db = db or get_database()
    with db.engine.connect() as conn:
        row = conn.execute(text("SELECT adapter_id FROM persona WHERE key = :k"), {"k": persona}).first()
    current = (row[0] if row else None) or BASE
    previous = next((c.adapter_id or BASE for c in reversed(version_changes(persona, db=db))
                     if (c.adapter_id or BASE) != current), None)
    if groups is None:
        groups = group_stats("adapter", since=since, persona=persona, db=db)
    by_version = {g.key: g for g in groups}
    now = by_version.get(current) or GroupStats(key=current)
    before = (by_version.get(previous) or GroupStats(key=previous)) if previous else None
    diff = low = high = None
    if before is None:
        verdict = "no-previous"
    elif not (now.enough and before.enough):
        verdict = "not-enough"
    else:
        diff = now.likert_mean - before.likert_mean
        v1, v2 = (now.likert_sd or 0.0) ** 2 / now.likert_n, (before.likert_sd or 0.0) ** 2 / before.likert_n
        se = math.sqrt(v1 + v2)
        df = (v1 + v2) ** 2 / (v1 ** 2 / (now.likert_n - 1) + v2 ** 2 / (before.likert_n - 1)) if se else 1.0
        half = _t(df) * se
        low, high = diff - half, diff + half
        verdict = "better" if low > 0 else "worse" if high < 0 else "no-difference"
        diff, low, high = round(diff, 3), round(low, 3), round(high, 3)
    return VersionComparison(persona, current, previous, now, before, diff, low, high, verdict)


#: Columns of :func:`write_csv` (English names: a data file for spreadsheets and scripts).
CSV_COLUMNS = ("group_by", "key", "likert_n", "likert_mean", "likert_low", "likert_high", "likert_1", "likert_2",
               "likert_3", "likert_4", "likert_5", "nps", "nps_n", "promoters", "passives", "detractors",
               "usability_mean", "usability_n", "arena_win_rate", "arena_n")


def write_csv(path: str | Path, sections: dict[str, list[GroupStats]]) -> Path:
    """Write groups as CSV (UTF-8, one row per group, ``group_by`` naming each section's grouping).

    Written to a temporary file and renamed, so a failed write leaves no half file behind.

    Raises:
        OSError: The folder is missing or not writable (the caller names the path to the user).
    """
    import csv
    import os
    import tempfile

    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=".stats-", suffix=".csv", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            out = csv.writer(f)
            out.writerow(CSV_COLUMNS)
            for by, groups in sections.items():
                for g in groups:
                    dist = [g.likert_distribution.get(i, 0) for i in range(1, 6)]
                    out.writerow([by, g.key, g.likert_n, g.likert_mean, g.likert_low, g.likert_high, *dist, g.nps,
                                  g.nps_n, g.promoters, g.passives, g.detractors, g.usability_mean, g.usability_n,
                                  g.arena_win_rate, g.arena_n])
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
