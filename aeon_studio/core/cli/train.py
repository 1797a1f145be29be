"""``aeon-studio train`` and ``aeon-studio runs list|show|cancel|resume``."""

from __future__ import annotations

import argparse
import sys

from ..i18n import _, ngettext
from .common import print_json, print_table


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("train", help=_("fine-tune a LoRA adapter on a dataset (background process)"),
                       description=_("Train a LoRA adapter on a dataset in a separate process. The dataset is "
                                     "frozen into the run folder when the run is created."))
    p.add_argument("--dataset", required=True, metavar="NAME", help=_("dataset name, or a path to a .jsonl file"))
    p.add_argument("--base", metavar="MODEL", help=_("base model id, GGUF path or transformers folder"))
    p.add_argument("--preset", default="quick", choices=["quick", "balanced", "thorough"],
                   help=_("training preset (default: quick)"))
    p.add_argument("--method", default="sft", choices=["sft", "dpo", "kto", "orpo"],
                   help=_("sft (examples), dpo (preference pairs), kto (replies labelled good/bad) or orpo "
                          "(preference pairs, no reference model: also learns the chosen replies); default: sft"))
    p.add_argument("--backend", default="auto", choices=["auto", "peft", "unsloth"],
                   help=_("auto: unsloth with a CUDA GPU, otherwise peft"))
    p.add_argument("--epochs", type=int, help=_("number of epochs"))
    p.add_argument("--lr", type=float, help=_("learning rate"))
    p.add_argument("--rank", type=int, help=_("LoRA rank"))
    p.add_argument("--max-steps", type=int, help=_("stop after this many steps"))
    p.add_argument("--persona", metavar="KEY", help=_("persona this run is for"))
    p.add_argument("--json-events", action="store_true", help=_("print the worker's JSON events, one per line"))
    g = p.add_argument_group(_("several processes or machines (torch.distributed)"))
    g.add_argument("--processes", type=int, metavar="N",
                   help=_("train with N processes on this machine: one per GPU, or up to one per CPU core; each "
                          "takes the preset's batch, so a step sees N times as many examples"))
    g.add_argument("--nodes", type=int, metavar="M", help=_("the number of machines training together"))
    g.add_argument("--node-rank", type=int, metavar="R", help=_("this machine's number, from 0 (the one at "
                                                                 "--master-addr) to M-1"))
    g.add_argument("--master-addr", metavar="HOST", help=_("the address of the machine with --node-rank 0"))
    g.add_argument("--master-port", type=int, metavar="PORT", help=_("its port (default: 29500)"))
    p.set_defaults(func=_train)

    p = sub.add_parser("runs", help=_("list, inspect, cancel or resume training runs"),
                       description=_("Training runs and their status."))
    ps = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    q = ps.add_parser("list", help=_("list training runs"))
    q.add_argument("--json", action="store_true", help=_("print JSON"))
    q.set_defaults(func=_list)
    q = ps.add_parser("show", help=_("show one run"))
    q.add_argument("run_id", metavar="RUN")
    q.add_argument("--json", action="store_true", help=_("print JSON"))
    q.set_defaults(func=_show)
    q = ps.add_parser("cancel", help=_("stop a run (it saves a checkpoint first)"))
    q.add_argument("run_id", metavar="RUN")
    q.set_defaults(func=_cancel)
    q = ps.add_parser("resume", help=_("resume a failed or cancelled run from its last checkpoint"))
    q.add_argument("run_id", metavar="RUN")
    q.add_argument("--json-events", action="store_true", help=_("print the worker's JSON events, one per line"))
    q.set_defaults(func=_resume)


def _or(value: object, unknown: str = "?") -> object:
    return unknown if value is None else value


def _bar(done: int, total: int, width: int = 28) -> str:
    filled = int(width * done / total) if total else 0
    return "[" + "#" * filled + "-" * (width - filled) + "]"


def follow(run_id: str, json_events: bool) -> int:
    """Run the worker, show progress, and fold its result into the registry."""
    from ..training import runs
    from ..training.events import Error, Eval, Event, Preflight, RunStatus, Start, Step, parse

    proc = runs.start(run_id)
    total = 0
    last: Event | None = None
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            ev = parse(line)
            if ev is None:
                continue  # not an event (a library writing to stdout)
            last = ev
            if json_events:
                print(line.rstrip(), flush=True)
                continue
            if isinstance(ev, Preflight):
                print(_("{examples}, ~{tok} tokens, model {p:.1f}M params, RAM ~{ram} MB, estimate {s:.0f} s")
                      .format(examples=ngettext("{n} example", "{n} examples", ev.examples).format(
                          n=ev.examples), tok=ev.dataset_tokens, p=ev.params / 1e6,
                              ram=_or(ev.ram_estimate_mb), s=ev.estimated_s or 0), file=sys.stderr)
                for note in ev.notes:
                    print(note, file=sys.stderr)
            elif isinstance(ev, Start):
                total = ev.total_steps or 0
            elif isinstance(ev, Step):
                msg = _("{bar} step {s}/{t} loss {loss:.4f} {tps:.0f} tok/s ETA {eta:.0f}s").format(
                    bar=_bar(ev.step, total), s=ev.step, t=total, loss=ev.loss,
                    tps=ev.tokens_per_s or 0, eta=ev.eta_s or 0)
                print("\r" + msg, end="", file=sys.stderr, flush=True)
            elif isinstance(ev, Eval):
                print("\n" + _("eval loss {loss:.4f}").format(loss=ev.eval_loss), file=sys.stderr)
    except KeyboardInterrupt:
        runs.cancel(run_id)
    rc = proc.wait()
    row = runs.refresh(run_id, exited=True)
    if not json_events:
        print(file=sys.stderr)
        if row.status == RunStatus.DONE and not row.adapter_id:  # a machine other than node rank 0
            print(_("Run {id} done: this machine trained its share; the adapter is on the machine with "
                    "--node-rank 0.").format(id=run_id))
        elif row.status == RunStatus.DONE:
            from ..training.retrain import finished_text

            print(_("Run {id} done.").format(id=run_id))
            print(finished_text(row))
        elif row.status == RunStatus.CANCELLED:
            print(_("Run {id} cancelled; resume it with 'aeon-studio runs resume {id}'.").format(id=run_id))
        else:
            message = last.message if isinstance(last, Error) else None
            print(_("error: {message}").format(message=row.error or message), file=sys.stderr)
        from ..training.cost import cost_text

        if cost := cost_text(row.metrics or {}):  # the machine was paid for, whatever came out
            print(cost)
    if rc == 0 and ((row.metrics or {}).get("checks") or {}).get("ok") is False:
        return 1  # trained, but the adapter failed its checks: nothing usable came out
    return 0 if rc == 0 else (130 if row.status == RunStatus.CANCELLED else 1)


def _train(args: argparse.Namespace) -> int:
    from ..training import runs

    row = runs.create_run(args.dataset, base=args.base, preset=args.preset, method=args.method,
                          backend=args.backend, persona_key=args.persona, epochs=args.epochs, lr=args.lr,
                          rank=args.rank, max_steps=args.max_steps, processes=args.processes,
                          nodes=args.nodes, node_rank=args.node_rank, master_addr=args.master_addr,
                          master_port=args.master_port)
    if not args.json_events:
        print(_("Run {id} created.").format(id=row.id), file=sys.stderr)
    return follow(row.id, args.json_events)


def _row(r) -> dict:
    return {"id": r.id, "status": r.status, "dataset": r.dataset_name, "base": r.base_model, "method": r.method,
            "preset": r.preset, "adapter": r.adapter_id, "error": r.error, "metrics": r.metrics,
            "created_at": r.created_at, "finished_at": r.finished_at}


def _list(args: argparse.Namespace) -> int:
    from ..training import runs

    items = runs.list_runs()
    if args.json:
        print_json([_row(r) for r in items])
        return 0
    print_table([[r.id, r.status, r.dataset_name, r.preset, r.method, r.metrics.get("step"),
                  r.metrics.get("final_loss") or r.metrics.get("loss"), r.adapter_id] for r in items],
                [_("RUN"), _("STATUS"), _("DATASET"), _("PRESET"), _("METHOD"), _("STEP"), _("LOSS"),
                 _("ADAPTER")])
    return 0


def _show(args: argparse.Namespace) -> int:
    from ..training import runs

    r = runs.refresh(args.run_id)
    if args.json:
        print_json(_row(r) | {"spec": r.spec})
        return 0
    for k, v in _row(r).items():
        print(f"{k:12} {v if v is not None else ''}")
    from ..training.cost import cost_text

    if cost := cost_text(r.metrics or {}):
        print(cost)
    return 0


def _cancel(args: argparse.Namespace) -> int:
    from ..training import runs

    r = runs.cancel(args.run_id)
    print(_("Cancel requested for {id} ({status}).").format(id=r.id, status=r.status))
    return 0


def _resume(args: argparse.Namespace) -> int:
    from ..training import runs

    runs.prepare_resume(args.run_id)
    return follow(args.run_id, args.json_events)
