"""Scheduled retraining: each persona's schedule, the due check, a crash-safe lock and the failure count.

``aeon-studio retrain --auto`` (driven by a systemd user timer, cron or the app when it is idle) asks
:func:`check_due` for every persona whose schedule is on, takes the :class:`RunLock` (so two callers never train at
once), retrains the due ones through the quality gate (``training.gated``) and stores each result with
:func:`record_result`. Three failures in a row stop the schedule of that persona (:data:`MAX_FAILURES`) until the user
turns it on again. Each run also trains one adapter per domain of the persona that has enough examples
(:mod:`.schedule_domains`); their outcomes are kept per domain (:class:`DomainResult`). The schedules live in
``<home>/schedule.json`` (validated, versioned, written atomically); the
ratings and runs they count are read from the database.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticError

from ..errors import AeonError, ValidationError
from ..i18n import _, ngettext
from .schedule_lock import RunLock, ScheduleBusy, lock_holder  # noqa: F401 - callers import the lock from here

#: Version of ``schedule.json``; a newer file is refused rather than misread (2: the per-domain results).
SCHEMA_VERSION = 2
#: Failures in a row after which a persona's schedule stops retrying.
MAX_FAILURES = 3
#: Above this 1-minute load per CPU the computer is "busy" for ``only_when_idle``.
BUSY_LOAD_PER_CPU = 0.75
_HOURS = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


class ScheduleError(AeonError):
    """The schedule file cannot be read or written, or a schedule value is wrong."""


def _aware(dt: datetime | None) -> datetime | None:
    # SQLite gives naive datetimes back; everything here is UTC
    return None if dt is None else (dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc))


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class DomainResult(BaseModel):
    """What the last scheduled run did for one domain of a persona (see :mod:`.schedule_domains`)."""

    model_config = ConfigDict(extra="forbid")

    #: ``promoted``, ``kept``, ``unjudged``, ``unusable``, ``failed`` or ``skipped``
    outcome: str
    #: what happened, in the user's language (the reason when skipped)
    message: str = ""
    #: training examples the domain had
    examples: int = 0
    run_id: str | None = None
    adapter: str | None = None
    #: hash of the examples its last trained adapter learned from: the same data is not trained again
    data_hash: str | None = None


class PersonaSchedule(BaseModel):
    """One persona's schedule (what the user sets) and its state (what the runs left)."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    enabled: bool = False
    min_new_ratings: int = Field(50, ge=1, le=100_000, description="retrain after this many new rated replies")
    interval_days: int = Field(7, ge=1, le=365, description="or after this many days when there is new data")
    data_days: int = Field(30, ge=1, le=3650, description="train on the chats of the last this many days")
    min_examples_per_domain: int = Field(50, ge=1, le=100_000, description="fewer examples: no run")
    quiet_hours: str = Field("", description="only start between these hours ('HH:MM-HH:MM'); empty: any time")
    only_when_idle: bool = True
    # state written by the runs
    enabled_at: datetime | None = None
    last_run: datetime | None = None
    last_run_id: str | None = None
    last_outcome: str | None = None
    last_message: str = ""
    failures: int = 0
    stopped_reason: str = ""
    #: the last run's outcome per domain (domain name -> result)
    domains: dict[str, DomainResult] = Field(default_factory=dict)

    @property
    def stopped(self) -> bool:
        return self.failures >= MAX_FAILURES


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int = SCHEMA_VERSION
    personas: dict[str, PersonaSchedule] = Field(default_factory=dict)


#: Options the user sets (``schedule set`` and the dialog), with the CLI flag that sets each.
USER_FIELDS = {"enabled": "--enabled", "min_new_ratings": "--min-new-ratings", "interval_days": "--interval-days",
               "data_days": "--data-days", "min_examples_per_domain": "--min-examples-per-domain",
               "quiet_hours": "--quiet-hours", "only_when_idle": "--only-when-idle"}


def _path(path: Path | None) -> Path:
    if path is not None:
        return path
    from ..settings import get_settings

    return get_settings().schedule_file


def _field_error(err: PydanticError, where: str) -> ScheduleError:
    first = err.errors()[0]
    loc = ".".join(str(x) for x in first["loc"])
    return ScheduleError(_("{where}: the value of '{field}' is wrong: {problem}.").format(
        where=where, field=loc, problem=first["msg"]),
        hint=_("Fix it with 'aeon-studio schedule set', or delete the file to start from the defaults."))


def _load(path: Path | None = None) -> _File:
    f = _path(path)
    if not f.exists():
        return _File()
    try:
        data = json.loads(f.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise ScheduleError(_("{file}:{line}: not valid JSON ({problem}).").format(
            file=f, line=err.lineno, problem=err.msg),
            hint=_("Fix the file, or delete it to start from the defaults (every schedule is then off).")) from None
    except OSError as err:
        raise ScheduleError(_("Cannot read {file}: {problem}.").format(file=f, problem=err.strerror)) from None
    if isinstance(data, dict) and isinstance(data.get("version"), int) and data["version"] > SCHEMA_VERSION:
        raise ScheduleError(_("{file} was written by a newer Aeon Studio (version {v}).").format(
            file=f, v=data["version"]), hint=_("Update Aeon Studio to change the schedule."))
    try:
        return _File.model_validate(data)
    except PydanticError as err:
        raise _field_error(err, str(f)) from None


def _save(state: _File, path: Path | None = None) -> None:
    f = _path(path)
    f.parent.mkdir(parents=True, exist_ok=True)
    tmp = f.with_name(f.name + f".{os.getpid()}.tmp")
    tmp.write_text(state.model_dump_json(indent=2), encoding="utf-8")
    tmp.replace(f)  # atomic: a reader sees the old file or the new one, never half of it


def get_schedule(persona_key: str, path: Path | None = None) -> PersonaSchedule:
    """The persona's schedule (the defaults, off, when it has none)."""
    return _load(path).personas.get(persona_key) or PersonaSchedule()


def all_schedules(path: Path | None = None) -> dict[str, PersonaSchedule]:
    """Every persona that has a schedule, by key."""
    return dict(_load(path).personas)


def parse_quiet_hours(text: str) -> tuple[time, time] | None:
    """``"22:00-06:30"`` → (start, end); ``""`` → None (any time).

    Raises:
        ValidationError: not two times ``HH:MM-HH:MM``.
    """
    if not text.strip():
        return None
    m = _HOURS.match(text)
    if m:
        h1, m1, h2, m2 = (int(g) for g in m.groups())
        if h1 < 24 and h2 < 24 and m1 < 60 and m2 < 60 and (h1, m1) != (h2, m2):
            return time(h1, m1), time(h2, m2)
    raise ValidationError(_("--quiet-hours '{value}' is not a range of hours.").format(value=text),
                          hint=_("Write it as HH:MM-HH:MM, e.g. 01:00-06:00 (it may cross midnight: 22:00-06:00), "
                                 "or '' for any time."))


def update_schedule(persona_key: str, path: Path | None = None, **changes: Any) -> PersonaSchedule:
    """Change the user's options of ``persona_key``'s schedule; nothing is stored when a value is wrong.

    Turning the schedule on (even when it already is) clears the failure count, so a schedule stopped after
    :data:`MAX_FAILURES` failures retries.

    Raises:
        ValidationError: a value out of range (the message names the option and its range), an unknown option.
    """
    unknown = set(changes) - set(USER_FIELDS)
    if unknown:
        raise ValidationError(ngettext("Unknown schedule option: {names}.", "Unknown schedule options: {names}.",
                                       len(unknown)).format(names=", ".join(sorted(unknown))),
                              hint=_("The options are: {names}.").format(names=", ".join(USER_FIELDS.values())))
    if "quiet_hours" in changes:
        parse_quiet_hours(str(changes["quiet_hours"]))
    state = _load(path)
    current = state.personas.get(persona_key) or PersonaSchedule()
    data = current.model_dump()
    data.update(changes)
    try:
        new = PersonaSchedule.model_validate(data)
    except PydanticError as err:
        first = err.errors()[0]
        name = str(first["loc"][0])
        info = PersonaSchedule.model_fields[name]
        lo = next((m.ge for m in info.metadata if hasattr(m, "ge")), None)
        hi = next((m.le for m in info.metadata if hasattr(m, "le")), None)
        if lo is not None and hi is not None:
            message = _("{option} must be between {lo} and {hi} (got {value}).").format(
                option=USER_FIELDS.get(name, name), lo=lo, hi=hi, value=changes.get(name))
        else:
            message = _("{option}: {problem}.").format(option=USER_FIELDS.get(name, name), problem=first["msg"])
        raise ValidationError(message, hint=_("Nothing was changed.")) from None
    if changes.get("enabled"):
        new.failures, new.stopped_reason = 0, ""
        if not current.enabled or new.enabled_at is None:
            new.enabled_at = utcnow()
    state.personas[persona_key] = new
    _save(state, path)
    return new


def record_result(persona_key: str, *, outcome: str, message: str, run_id: str | None = None,
                  failed: bool = False, started: datetime | None = None,
                  domains: dict[str, DomainResult] | None = None, path: Path | None = None) -> PersonaSchedule:
    """Store what a scheduled run of ``persona_key`` ended with; a failure counts toward :data:`MAX_FAILURES`.

    Args:
        outcome: ``promoted``, ``kept``, ``unjudged``, ``unusable``, ``failed`` or ``interrupted``.
        message: what the user is told (the verdict, or why it failed).
        failed: True when the run itself failed (an error, a crash, an interrupted run), or one of its domain
            runs did: the whole run counts once.
        domains: the outcome per domain (replacing the previous run's); None keeps them.
    """
    state = _load(path)
    s = state.personas.get(persona_key) or PersonaSchedule()
    if domains is not None:
        s.domains = dict(domains)
    s.last_run = started or utcnow()
    s.last_run_id, s.last_outcome, s.last_message = run_id, outcome, message
    s.failures = s.failures + 1 if failed else 0
    if s.stopped and not s.stopped_reason:
        s.stopped_reason = ngettext("It failed {n} time in a row; the last time: {why}",
                                    "It failed {n} times in a row; the last time: {why}", s.failures).format(
            n=s.failures, why=message)
    state.personas[persona_key] = s
    _save(state, path)
    return s


def record_domains(persona_key: str, domains: dict[str, DomainResult], path: Path | None = None) -> PersonaSchedule:
    """Store the per-domain outcome of a run that trained nothing (every domain skipped); the rest stays."""
    state = _load(path)
    s = state.personas.get(persona_key) or PersonaSchedule()
    s.domains = dict(domains)
    state.personas[persona_key] = s
    _save(state, path)
    return s


# -- the due check ----------------------------------------------------------------------------------------------
def last_trained(persona_key: str, db) -> datetime | None:
    """When the persona's newest finished training run started (scheduled or not), or None."""
    from sqlmodel import func, select

    from ..storage.training_tables import TrainingRun

    with db.session() as s:
        return _aware(s.exec(select(func.max(TrainingRun.created_at)).where(
            TrainingRun.persona_key == persona_key, TrainingRun.status == "done")).one())


def new_ratings(persona_key: str, db, since: datetime | None) -> int:
    """The persona's replies rated (or re-rated) after ``since`` (all of them when None)."""
    from sqlmodel import func, select

    from ..storage.tables import Message, Rating

    with db.session() as s:
        q = (select(func.count()).select_from(Rating).join(Message, Message.id == Rating.message_id)
             .where(Message.persona_key == persona_key))
        if since is not None:
            q = q.where(Rating.updated_at > since)
        return int(s.exec(q).one())


def in_quiet_hours(text: str, now: datetime) -> tuple[bool, datetime | None]:
    """Whether ``now`` (local time) is inside the allowed hours, and when they next begin if not."""
    window = parse_quiet_hours(text)
    if window is None:
        return True, None
    start, end = window
    local = now.astimezone()
    t = local.time().replace(tzinfo=None)
    inside = start <= t < end if start < end else (t >= start or t < end)
    if inside:
        return True, None
    begin = local.replace(hour=start.hour, minute=start.minute, second=0, microsecond=0)
    if begin <= local:
        begin += timedelta(days=1)
    return False, begin.astimezone(timezone.utc)


def system_busy() -> bool:
    """True when the computer is working on something else (load average over :data:`BUSY_LOAD_PER_CPU`)."""
    try:
        load = os.getloadavg()[0]
    except (OSError, AttributeError):  # not on this platform: never block a run over it
        return False
    return load / max(1, os.cpu_count() or 1) > BUSY_LOAD_PER_CPU


@dataclass
class DueCheck:
    """Whether a persona's scheduled retrain is due now, and why (not)."""

    persona: str
    due: bool
    #: ``due``, ``disabled``, ``stopped``, ``not_due``, ``outside_hours``, ``busy``, ``locked``, ``too_few``
    code: str
    reason: str
    new_ratings: int
    due_at: datetime | None
    last_run: datetime | None

    def as_event(self) -> dict[str, Any]:
        """The ``skipped`` JSON event of ``retrain --auto``."""
        return {"event": "skipped", "persona": self.persona, "code": self.code, "reason": self.reason,
                "new_ratings": self.new_ratings, "due_at": self.due_at.isoformat() if self.due_at else None}


def check_due(persona_key: str, db, *, now: datetime | None = None, path: Path | None = None,
              busy: bool | None = None) -> DueCheck:
    """Is ``persona_key``'s scheduled retrain due? Due when on, not stopped, and either ≥ ``min_new_ratings`` new
    rated replies since the last finished run, or ``interval_days`` passed with at least one; then only inside the
    quiet hours and (``only_when_idle``) when the computer is not busy (``busy``: what the caller knows, else
    :func:`system_busy`)."""
    now = now or utcnow()
    sch = get_schedule(persona_key, path)
    last = last_trained(persona_key, db)
    n = new_ratings(persona_key, db, last)
    baseline = last or _aware(sch.enabled_at)
    due_at = baseline + timedelta(days=sch.interval_days) if baseline else None

    def out(code: str, reason: str, at: datetime | None = due_at) -> DueCheck:
        return DueCheck(persona_key, code == "due", code, reason, n, at, last)

    if not sch.enabled:
        return out("disabled", _("Scheduled retraining is off for '{p}'; turn it on with 'aeon-studio schedule set "
                                 "--enabled on --persona {p}'.").format(p=persona_key), None)
    if sch.stopped:
        return out("stopped", ngettext(
            "Stopped after {n} failed run in a row: {why} Turn it on again with 'aeon-studio schedule set --enabled "
            "on --persona {p}' once that is fixed.", "Stopped after {n} failed runs in a row: {why} Turn it on again "
            "with 'aeon-studio schedule set --enabled on --persona {p}' once that is fixed.", sch.failures).format(
            n=sch.failures, why=sch.last_message, p=persona_key), None)
    by_count = n >= sch.min_new_ratings
    by_time = n > 0 and due_at is not None and now >= due_at
    if not (by_count or by_time):
        at = due_at if n > 0 else None
        return out("not_due", ngettext(
            "{n} new rated reply since the last run; it retrains at {min}, or {days} after the last run when there "
            "is at least one.", "{n} new rated replies since the last run; it retrains at {min}, or {days} after the "
            "last run when there is at least one.", n).format(n=n, min=sch.min_new_ratings, days=days(sch.interval_days)),
            at)
    ok, begins = in_quiet_hours(sch.quiet_hours, now)
    if not ok:
        return out("outside_hours", _("Due, but it only starts between {hours}.").format(hours=sch.quiet_hours),
                   begins)
    if sch.only_when_idle and (system_busy() if busy is None else busy):
        return out("busy", _("Due, but the computer is busy; it waits until it is idle."), now)
    return out("due", ngettext("Due: {n} new rated reply since the last run.",
                               "Due: {n} new rated replies since the last run.", n).format(n=n), now)


def days(k: int) -> str:
    """"1 day", "7 days", in the user's language."""
    return ngettext("{k} day", "{k} days", k).format(k=k)


def scheduled_personas(path: Path | None = None) -> list[str]:
    """Keys of the personas whose schedule is on."""
    return [k for k, s in all_schedules(path).items() if s.enabled]


def training_in_progress(db) -> str | None:
    """The id of a training run whose worker is still alive (a manual run, or one left by a killed caller)."""
    from sqlmodel import select

    from ..storage.training_tables import TrainingRun
    from . import runs

    with db.session() as s:
        ids = [r.id for r in s.exec(select(TrainingRun).where(TrainingRun.status == "running"))]
    for run_id in ids:
        if runs.refresh(run_id, db=db).status == "running":  # refresh marks a dead worker's run failed
            return run_id
    return None


# -- what the user is told ----------------------------------------------------------------------------------------
def verdict_message(outcome, persona_name: str) -> tuple[str, str]:
    """(outcome code, one sentence) for a :class:`~aeon_studio.core.training.gated.GateOutcome`:
    "Aeon improved: golden prompts 5/6 → 6/6; now in use." or "… was not better; kept the current one"."""
    if not outcome.usable:
        return "unusable", _("The new version of {name} failed its checks; kept the current one.").format(
            name=persona_name)
    if outcome.promoted is None:
        return "unjudged", _("The new version of {name} could not be judged; kept the current one. {why}").format(
            name=persona_name, why=" ".join(outcome.reasons[:1])).strip()
    if not outcome.promoted:
        return "kept", _("The new version of {name} was not better; kept the current one.").format(name=persona_name)
    change = gate_change(outcome)
    if outcome.by == "user" or not change:
        return "promoted", _("{name} improved; the new version is now in use.").format(name=persona_name)
    return "promoted", _("{name} improved: {change}; now in use.").format(name=persona_name, change=change)


def gate_change(outcome) -> str:
    """The gate's main number before → after, e.g. "golden prompts 5/6 → 6/6" (else the first reason, or "")."""
    a, c = outcome.against or {}, outcome.candidate or {}
    if a.get("golden_total") and c.get("golden_total"):
        return _("golden prompts {a}/{at} → {c}/{ct}").format(
            a=a.get("golden_passed") or 0, at=a["golden_total"], c=c.get("golden_passed") or 0, ct=c["golden_total"])
    if isinstance(a.get("perplexity"), (int, float)) and isinstance(c.get("perplexity"), (int, float)):
        return _("perplexity {a:.2f} → {c:.2f}").format(a=a["perplexity"], c=c["perplexity"])
    return outcome.reasons[0] if outcome.reasons else ""
