"""``aeon-studio schedule show|set|install-timer`` and ``retrain --auto``: scheduled retraining, headless."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from ..i18n import _, ngettext
from .common import print_json


def _on_off(value: str) -> bool:
    if value.lower() in ("on", "yes", "true", "1"):
        return True
    if value.lower() in ("off", "no", "false", "0"):
        return False
    raise argparse.ArgumentTypeError(_("'{value}' is not on or off").format(value=value))


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("schedule", help=_("retrain a persona by itself when enough new ratings came in"),
                       description=_("Scheduled retraining: when a persona has enough new rated replies (or some, "
                                     "and the interval passed), 'aeon-studio retrain --auto' retrains it on the "
                                     "recent chats, always through the quality gate. The app runs it when idle; "
                                     "a systemd timer or cron can run it when the app is closed."))
    ss = p.add_subparsers(dest="schedule_command", metavar="ACTION", required=True)
    show = ss.add_parser("show", help=_("show a persona's schedule, its new ratings and when it is due"))
    show.add_argument("--persona", metavar="KEY", help=_("the persona (default: the default persona)"))
    show.add_argument("--json", action="store_true", help=_("print JSON"))
    show.set_defaults(func=_show)
    st = ss.add_parser("set", help=_("change a persona's schedule"))
    st.add_argument("--persona", metavar="KEY", help=_("the persona (default: the default persona)"))
    st.add_argument("--enabled", type=_on_off, metavar="on|off",
                    help=_("retrain by itself (on also clears the failure count after three failures)"))
    st.add_argument("--min-new-ratings", type=int, metavar="N", help=_("retrain after N new rated replies (50)"))
    st.add_argument("--interval-days", type=int, metavar="K",
                    help=_("or K days after the last run when there is at least one (7)"))
    st.add_argument("--data-days", type=int, metavar="D", help=_("train on the chats of the last D days (30)"))
    st.add_argument("--min-examples-per-domain", type=int, metavar="M",
                    help=_("do not train on fewer than M examples (50)"))
    st.add_argument("--quiet-hours", metavar="HH:MM-HH:MM",
                    help=_("only start between these hours, e.g. 01:00-06:00; '' for any time"))
    st.add_argument("--only-when-idle", type=_on_off, metavar="on|off",
                    help=_("only start when the computer is not busy (on)"))
    st.add_argument("--json", action="store_true", help=_("print the schedule as JSON"))
    st.set_defaults(func=_set)
    ti = ss.add_parser("install-timer", help=_("run 'retrain --auto' from a systemd user timer"))
    ti.add_argument("--print", action="store_true", dest="print_only", help=_("only show the two unit files"))
    ti.add_argument("--on-calendar", default="hourly", metavar="WHEN",
                    help=_("how often it checks, in systemd's OnCalendar words (default: hourly)"))
    ti.set_defaults(func=_install_timer)


def _persona(key: str | None, db) -> str:
    from ..personas import PersonaStore
    from ..settings import get_settings

    return PersonaStore(db).get(key or get_settings().default_persona).key  # an unknown key fails with its hint


def describe(persona: str, db) -> dict[str, Any]:
    """The schedule of ``persona`` as ``schedule show --json`` prints it (settings, new ratings, next due, the last
    run's outcome per domain)."""
    from ..training import schedule as sch
    from ..training.schedule_domains import as_json

    s = sch.get_schedule(persona)
    check = sch.check_due(persona, db, busy=False)
    holder = sch.lock_holder()
    user = {name: getattr(s, name) for name in sch.USER_FIELDS}
    return {"persona": persona, **user, "new_ratings": check.new_ratings,
            "last_run": s.last_run.isoformat() if s.last_run else None,
            "last_trained": check.last_run.isoformat() if check.last_run else None,
            "next_due": check.due_at.isoformat() if check.due_at else None, "due": check.due, "status": check.code,
            "reason": check.reason, "last_outcome": s.last_outcome, "last_message": s.last_message,
            "failures": s.failures, "stopped": s.stopped, "stopped_reason": s.stopped_reason,
            "domains": as_json(s.domains), "running": holder}


def _print_text(d: dict[str, Any]) -> None:
    from ..training import schedule as sch

    print(_("Scheduled retraining of '{p}': {state}").format(p=d["persona"], state=_("on") if d["enabled"] else _("off")))
    print("  " + ngettext("retrain after {n} new rated reply ({now} so far), or {k} after the last run if there is "
                          "at least one", "retrain after {n} new rated replies ({now} so far), or {k} after the last "
                          "run if there is at least one", d["min_new_ratings"]).format(
        n=d["min_new_ratings"], now=d["new_ratings"], k=sch.days(d["interval_days"])))
    print("  " + ngettext("train on the chats of the last {d}; not on fewer than {m} example",
                          "train on the chats of the last {d}; not on fewer than {m} examples",
                          d["min_examples_per_domain"]).format(d=sch.days(d["data_days"]),
                                                               m=d["min_examples_per_domain"]))
    hours = _("only between {h}").format(h=d["quiet_hours"]) if d["quiet_hours"] else _("at any time")
    idle = _("only when the computer is idle") if d["only_when_idle"] else _("even when the computer is busy")
    print("  " + hours + "; " + idle)
    print("  " + _("last run: {when} {what}").format(when=d["last_run"] or _("never"), what=d["last_message"]).rstrip())
    if d["domains"]:
        from ..training.schedule_domains import result_lines

        print("  " + _("per domain:"))
        for line in result_lines(d["domains"]):
            print("    " + line)
    if d["stopped"]:
        print("  " + _("stopped: {why}").format(why=d["stopped_reason"]))
    print("  " + d["reason"])
    if d["running"]:
        print("  " + _("running now (process {pid})").format(pid=d["running"].get("pid")))


def _show(args: argparse.Namespace) -> int:
    from ..storage import get_database

    db = get_database()
    d = describe(_persona(args.persona, db), db)
    if args.json:
        print_json(d)
    else:
        _print_text(d)
    return 0


def _set(args: argparse.Namespace) -> int:
    from ..errors import ValidationError
    from ..storage import get_database
    from ..training import schedule as sch

    db = get_database()
    key = _persona(args.persona, db)
    changes = {name: getattr(args, name) for name in sch.USER_FIELDS if getattr(args, name) is not None}
    if not changes:
        raise ValidationError(_("Nothing to change: give at least one option."),
                              hint=_("See 'aeon-studio schedule set --help'."))
    sch.update_schedule(key, **changes)
    d = describe(key, db)
    if args.json:
        print_json(d)
    else:
        _print_text(d)
    return 0


def _install_timer(args: argparse.Namespace) -> int:
    from ..settings import get_settings
    from ..training import schedule_timer

    home = get_settings().home
    if args.print_only:
        for name, text in schedule_timer.units(home, on_calendar=args.on_calendar).items():
            print(f"# {schedule_timer.user_unit_dir() / name}")
            print(text)
        return 0
    for path in schedule_timer.install(home, on_calendar=args.on_calendar):
        print(_("Wrote {path}").format(path=path))
    print(_("The timer is on: 'systemctl --user list-timers' shows when it runs next."))
    return 0


# -- retrain --auto ---------------------------------------------------------------------------------------------
def lower_priority() -> None:
    """Run (and start the worker, which inherits it) at low CPU priority: the user's work comes first."""
    try:
        if os.nice(0) < 10:
            os.nice(10 - os.nice(0))
    except (AttributeError, OSError):  # no nice on this platform
        pass


def auto_retrain(args: argparse.Namespace, gate_run: Callable[..., Any]) -> int:
    """``retrain --auto``: retrain the personas whose schedule is due, one at a time, under the lock.

    ``gate_run`` is ``cli.retrain.gate_run`` (passed in: ``retrain`` calls this module, not the other way round).

    Exit status 0 when nothing was due or every run ended (kept or promoted), 1 when a run failed.
    """
    from ..errors import ValidationError
    from ..storage import get_database
    from ..training import schedule as sch

    if args.no_gate or args.dataset or args.plan:
        raise ValidationError(_("--auto always retrains through the quality gate on the persona's recent data; "
                                "it cannot be combined with --no-gate, --dataset or --plan."))
    db = get_database()

    def emit(ev: dict[str, Any]) -> None:
        if args.json_events:
            print_json(ev)
        elif ev.get("reason") or ev.get("message"):
            print(ev.get("message") or ev.get("reason"))
            if ev.get("stopped"):
                print(_("Scheduled retraining of '{p}' stopped: {why}").format(p=ev["persona"], why=ev["stopped_reason"]))

    keys = [_persona(args.persona, db)] if args.persona else sch.scheduled_personas()
    if not keys:
        emit({"event": "skipped", "persona": None, "code": "disabled", "new_ratings": 0, "due_at": None,
              "reason": _("No persona has scheduled retraining on; turn it on with 'aeon-studio schedule set "
                          "--enabled on'.")})
        return 0
    checks = [sch.check_due(k, db) for k in keys]
    if not any(c.due for c in checks):
        for c in checks:
            emit(c.as_event())
        return 0
    running = sch.training_in_progress(db)
    try:
        if running:
            raise sch.ScheduleBusy(_("Training run {id} is in progress.").format(id=running))
        lock = sch.RunLock().acquire(persona=None, run_id=None)
    except sch.ScheduleBusy as err:
        for c in checks:
            emit({**c.as_event(), "code": "locked" if c.due else c.code,
                  "reason": _("Due, but not now: {why}").format(why=err.message) if c.due else c.reason})
        return 0
    rc = 0
    with lock:
        _interrupted(lock.took_over, db, emit)
        lower_priority()
        for key in keys:
            check = sch.check_due(key, db)  # again, under the lock: a run that just ended may have used the ratings
            if not check.due:
                emit(check.as_event())
                continue
            rc = max(rc, _auto_one(check, args, db, lock, emit, gate_run))
    return rc


def _interrupted(note: dict[str, Any] | None, db, emit: Callable[[dict[str, Any]], None]) -> None:
    """The previous holder died mid-run (app closed, machine suspended and killed, crash): say so and count it.
    Its run is folded (a dead worker's run ends ``failed``); the active adapter was never touched: only the gate
    activates, and it had not run."""
    from ..training import runs
    from ..training import schedule as sch

    if not note or not note.get("persona"):
        return
    run_id = note.get("run_id")
    if run_id:
        try:
            runs.refresh(run_id, db=db)
        except Exception:  # noqa: BLE001 - the run may be gone; the lock must still be taken over
            pass
    message = _("The scheduled run {id} was interrupted (the app or the computer stopped); the version in use "
                "did not change.").format(id=run_id or "?")
    rec = sch.record_result(note["persona"], outcome="interrupted", message=message, run_id=run_id, failed=True)
    emit({"event": "interrupted", "persona": note["persona"], "run": run_id, "message": message,
          "failures": rec.failures})


def _auto_one(check, args: argparse.Namespace, db, lock, emit: Callable[[dict[str, Any]], None],
              gate_run: Callable[..., Any]) -> int:
    """One due persona: its own gated retrain, then one gated retrain per domain with enough examples
    (:mod:`..training.schedule_domains`), all under the caller's lock; the result is stored once, and a failure
    of any of its runs counts once toward the three in a row."""
    from ..errors import AeonError
    from ..personas import PersonaStore
    from ..training import schedule as sch
    from ..training import schedule_domains as sd
    from ..training.retrain import plan_retrain

    key = check.persona
    s = sch.get_schedule(key)
    started = sch.utcnow()
    ids: list[str] = []
    plan = None
    try:
        plan = plan_retrain(key, db, since=started - timedelta(days=s.data_days), minimum=s.min_examples_per_domain)
        if plan.too_small:
            skipped = sd.plan_domains(plan, s.domains, data_days=s.data_days)[1]
            sch.record_domains(key, skipped)
            emit({**check.as_event(), "code": "too_few", "reason": ngettext(
                "Due, but only {n} example from the last {d}; it needs {m} (--min-examples-per-domain).",
                "Due, but only {n} examples from the last {d}; it needs {m} (--min-examples-per-domain).",
                len(plan.rows)).format(n=len(plan.rows), d=sch.days(s.data_days), m=s.min_examples_per_domain),
                "domains": sd.as_json(skipped)})
            return 0
        out = _train_and_gate(plan, key, args, db, lock, emit, gate_run, ids,
                              {"event": "auto_start", "persona": key, "reason": check.reason})
        outcome, message = sch.verdict_message(out, PersonaStore(db).get(key).name)
        failed = not out.usable
    except AeonError as err:
        outcome, message, failed = "failed", err.message, True
    run_id = ids[0] if ids else None
    domains: dict[str, Any] = {}
    if plan is not None and failed:
        domains = sd.not_tried(plan, s.domains)
    elif plan is not None:
        domains, failure = _auto_domains(plan, key, s, args, db, lock, emit, gate_run)
        if failure:
            message, failed = f"{message} {failure}", True
    rec = sch.record_result(key, outcome=outcome, message=message, run_id=run_id, failed=failed, started=started,
                            domains=domains)
    emit({"event": "scheduled", "persona": key, "run": run_id, "outcome": outcome, "message": message,
          "failures": rec.failures, "stopped": rec.stopped, "stopped_reason": rec.stopped_reason,
          "domains": sd.as_json(domains)})
    return 1 if failed else 0


def _train_and_gate(plan, key: str, args: argparse.Namespace, db, lock, emit: Callable[[dict[str, Any]], None],
                    gate_run: Callable[..., Any], ids: list[str], start: dict[str, Any]):
    """Create the run of ``plan``, train it, gate it (for its domain when it has one); the run id is appended to
    ``ids`` as soon as it exists, so that a failure can name it."""
    from ..training import runs
    from ..training.data import TrainingError
    from ..training.events import RunStatus
    from ..training.retrain import create_retrain_run
    from .train import follow

    run_id = create_retrain_run(plan, db, preset=args.preset).id
    ids.append(run_id)
    lock.update(persona=key, run_id=run_id, domain=plan.domain)
    emit({**start, "run": run_id, "examples": len(plan.rows)})
    follow(run_id, args.json_events)
    row = runs.get_run(run_id, db)
    if row.status != RunStatus.DONE:
        raise TrainingError(_("Training run {id} did not finish: {error}").format(
            id=run_id, error=row.error or row.status))
    return gate_run(run_id, db, gate=True, json_events=args.json_events, domain=plan.domain)


def _auto_domains(plan, key: str, s, args: argparse.Namespace, db, lock, emit: Callable[[dict[str, Any]], None],
                  gate_run: Callable[..., Any]) -> tuple[dict[str, Any], str]:
    """One gated retrain per domain of ``plan`` with enough new examples; (results by domain, the first
    failure as a sentence or "")."""
    from ..domains import domain_label
    from ..errors import AeonError
    from ..personas import PersonaStore
    from ..training import schedule_domains as sd

    todo, results = sd.plan_domains(plan, s.domains, data_days=s.data_days)
    for name, r in sorted(results.items()):
        emit({"event": "domain_skipped", "persona": key, "domain": name, "examples": r.examples,
              "reason": sd.result_line(name, r)})
    failure = ""
    for dp in todo:
        ids: list[str] = []
        try:
            start = {"event": "domain_start", "persona": key, "domain": dp.domain, "message": ngettext(
                "Training an adapter for the domain “{domain}” on {n} example.",
                "Training an adapter for the domain “{domain}” on {n} examples.", len(dp.rows)).format(
                domain=domain_label(dp.domain), n=len(dp.rows))}
            out = _train_and_gate(dp, key, args, db, lock, emit, gate_run, ids, start)
            r = sd.judged(out, dp, ids[0], PersonaStore(db).get(key))
        except AeonError as err:
            r = sd.failed(err.message, dp, ids[0] if ids else None)
            failure = failure or sd.result_line(dp.domain, r)
        results[dp.domain] = r
        emit({"event": "domain_result", "persona": key, "domain": dp.domain, "run": r.run_id, "adapter": r.adapter,
              "outcome": r.outcome, "message": sd.result_line(dp.domain, r)})
    return results, failure
