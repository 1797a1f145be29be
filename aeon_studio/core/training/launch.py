"""``train --processes N``: the same worker, once per process, under torch.distributed — started by torchrun.

``python -m aeon_studio.core.training.launch SPEC.json`` (``aeon-studio --run-worker …`` in the bundle) hands the
spec's processes, nodes and master address to torchrun (``torch.distributed.run``, the library, in this process)
with ``--no-python`` and the app's own worker command (:func:`..processes.worker_command`), so the ranks start the
same way from a source install and from the PyInstaller bundle, whose ``sys.executable`` is the app. Each rank's
stderr goes to the run's ``worker.log`` and to ``<run>/ranks/``. Rank 0 writes the events (:mod:`.ranks`).

When a rank dies, torchrun stops the others and reports every failed rank; this process then names the first
failure (a rank killed by a signal, else the earliest error a rank left, see :func:`.ranks.keeping_errors`) with
its stderr tail in one ``error`` event, unless rank 0 already said why it stopped. The checkpoints stay, so
``runs resume`` continues from the last one.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from pathlib import Path
from typing import Any, Mapping

from ..errors import AeonError, ValidationError
from ..i18n import _, ngettext
from .events import FINAL, Cancelled, Done, Error, Resume, Start, parse
from .ranks import RANKS_DIR, error_file
from .spec import TrainingSpec
from .worker import Emitter

LAUNCHER = "aeon_studio.core.training.launch"
WORKER = "aeon_studio.core.training.worker"
EXIT_OK, EXIT_ERROR, EXIT_CANCELLED = 0, 1, 3  # the worker's codes (.worker), without importing it


def cpu_cores() -> int:
    """The CPU cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def gpu_count() -> int:
    """The CUDA GPUs torch sees (0 without CUDA)."""
    import torch

    return torch.cuda.device_count() if torch.cuda.is_available() else 0


def is_distributed(values: Mapping[str, Any] | TrainingSpec) -> bool:
    """True when a spec (or its JSON object) asks for more than one process."""
    get = values.get if isinstance(values, Mapping) else lambda k, d=None: getattr(values, k, d)
    return (get("processes", 1) or 1) > 1 or (get("nodes", 1) or 1) > 1


def check(processes: int = 1, nodes: int = 1, node_rank: int = 0, master_addr: str | None = None, *,
          gpus: int | None = None, cores: int | None = None) -> None:
    """:class:`ValidationError` for a launch that cannot work, before anything is stored or loaded: fewer than one
    process or node, more processes than this machine's GPUs (with CUDA) or CPU cores (without), several nodes
    without ``--master-addr``, a node rank outside ``0…nodes-1``. ``gpus``/``cores``: this machine's, when known."""
    if processes < 1:
        raise ValidationError(_("--processes {n}: a training needs at least one process.").format(n=processes),
                              hint=_("Leave --processes out to train in one process."))
    if nodes < 1:
        raise ValidationError(_("--nodes {n}: a training needs at least one machine.").format(n=nodes),
                              hint=_("Leave --nodes out to train on this machine only."))
    if nodes > 1 and not master_addr:
        raise ValidationError(
            _("With --nodes {n}, --master-addr is required: the address the machines meet at.").format(n=nodes),
            hint=_("Run the same command on every machine with --master-addr HOST (the address of the machine "
                   "with --node-rank 0) and its own --node-rank, from 0 to {last}.").format(last=nodes - 1))
    if not 0 <= node_rank < nodes:
        raise ValidationError(
            _("--node-rank {r} is outside 0…{last} (--nodes {n}).").format(r=node_rank, last=nodes - 1, n=nodes),
            hint=_("Give each machine its own --node-rank, from 0 (the one at --master-addr) to {last}.").format(
                last=nodes - 1))
    if processes == 1:
        return
    gpus = gpu_count() if gpus is None else gpus
    if gpus:
        if processes > gpus:
            raise ValidationError(
                ngettext("--processes {n} is more than the {g} GPU of this machine.",
                         "--processes {n} is more than the {g} GPUs of this machine.", gpus).format(
                             n=processes, g=gpus),
                hint=_("Use at most --processes {g}: one process per GPU.").format(g=gpus))
        return
    cores = cpu_cores() if cores is None else cores
    if processes > cores:
        raise ValidationError(
            ngettext("--processes {n} is more than the {c} CPU core of this machine.",
                     "--processes {n} is more than the {c} CPU cores of this machine.", cores).format(
                         n=processes, c=cores),
            hint=_("Use at most --processes {c} here, or run the same command on a machine with GPUs (one "
                   "process per GPU).").format(c=cores))


def check_spec(spec: TrainingSpec) -> None:
    """:func:`check` for a spec's processes, nodes, node rank and master address."""
    check(spec.processes, spec.nodes, spec.node_rank, spec.master_addr)


def torchrun_args(spec: TrainingSpec, spec_path: str) -> list[str]:
    """torchrun's arguments for ``spec``: its processes (and nodes), stderr kept per rank, no restarts (a failed
    run is resumed on request, from its checkpoint), and the app's worker command run as it is (``--no-python``)."""
    from ..processes import worker_command

    args = ["--nproc-per-node", str(spec.processes), "--max-restarts", "0",
            "--log-dir", str(Path(spec.run_dir) / RANKS_DIR), "--tee", "2"]
    if spec.nodes > 1:
        args += ["--nnodes", str(spec.nodes), "--node-rank", str(spec.node_rank),
                 "--master-addr", str(spec.master_addr), "--master-port", str(spec.master_port)]
    else:
        args.append("--standalone")  # one machine: torchrun picks a free port itself
    return [*args, "--no-python", *worker_command(WORKER, spec_path)]


def _since_start(run_dir: Path, skip: int) -> list:
    """The events written after the first ``skip`` lines of ``events.jsonl``."""
    path = run_dir / "events.jsonl"
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines() if path.exists() else []
    return [ev for ev in map(parse, lines[skip:]) if ev is not None]


def _line_count(run_dir: Path) -> int:
    path = run_dir / "events.jsonl"
    return len(path.read_text(encoding="utf-8", errors="replace").splitlines()) if path.exists() else 0


def _final(events: list):
    """The final event of this attempt, if rank 0 wrote one."""
    last = None
    for ev in events:
        if isinstance(ev, (*FINAL, Start, Resume)):
            last = ev
    return last if isinstance(last, FINAL) else None


def first_failure(run_dir: Path, failures: Mapping[int, Any]) -> int:
    """The rank that failed first among torchrun's ``failures`` (rank → ProcessFailure): one killed by a signal
    other than SIGTERM (torchrun stops the survivors with SIGTERM; no rank is killed because another failed),
    else the one whose error (``ranks/error-N.json``) is the oldest (the others then fail on the broken
    connection), else the lowest that torchrun did not stop itself."""
    stopped = {r for r, f in failures.items() if f.exitcode == -signal.SIGTERM}
    killed = sorted(r for r, f in failures.items() if f.exitcode < 0 and r not in stopped)
    if killed:
        return killed[0]
    times: dict[int, float] = {}
    for r in failures:
        try:
            times[r] = float(json.loads(error_file(run_dir, r).read_text(encoding="utf-8"))["time"])
        except (OSError, ValueError, KeyError, TypeError):
            continue
    if times:
        return min(times, key=times.__getitem__)
    return min(set(failures) - stopped or failures)


def stderr_tail(run_dir: Path, local_rank: int, lines: int = 6) -> str:
    """The last lines of a local rank's stderr in torchrun's newest log folder of the run."""
    logs = sorted((run_dir / RANKS_DIR).glob(f"*/attempt_*/{local_rank}/stderr.log"), key=lambda p: p.stat().st_mtime)
    if not logs:
        return ""
    text = logs[-1].read_text(encoding="utf-8", errors="replace")
    kept = [x for x in text.splitlines() if x.strip() and "%|" not in x]  # not the progress bars
    return "\n".join(kept[-lines:])


def _reason(run_dir: Path, rank: int, failure: Any) -> str:
    try:
        return str(json.loads(error_file(run_dir, rank).read_text(encoding="utf-8"))["message"])
    except (OSError, ValueError, KeyError, TypeError):
        pass
    if failure.exitcode < 0:
        return _("stopped by signal {name}").format(name=failure.signal_name())
    return _("exited with code {code}").format(code=failure.exitcode)


def main(argv: list[str] | None = None) -> int:
    """Run ``SPEC.json``'s worker under torchrun; returns 0 (done), 1 (failed) or 3 (cancelled)."""
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print(f"usage: python -m {LAUNCHER} SPEC.json", file=sys.stderr)
        return 2
    spec = TrainingSpec.model_validate_json(Path(argv[0]).read_text(encoding="utf-8"))
    run_dir = Path(spec.run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    with Emitter(run_dir) as emit:  # only this process, before and after torchrun: rank 0 writes in between
        try:
            check_spec(spec)  # a spec edited by hand, or a machine with fewer cores than where it was made
        except AeonError as exc:
            emit(Error(kind=type(exc).__name__, message=exc.message, hint=exc.hint))
            return EXIT_ERROR
    for old in (run_dir / RANKS_DIR).glob("error-*.json"):  # a resumed run's earlier errors are not this one's
        old.unlink()
    # torchrun would give each process one thread; on CPU they share the cores instead
    os.environ.setdefault("OMP_NUM_THREADS", str(max(1, cpu_cores() // spec.processes)))
    skip = _line_count(run_dir)
    from torch.distributed.elastic.multiprocessing.api import SignalException
    from torch.distributed.elastic.multiprocessing.errors import ChildFailedError
    from torch.distributed.run import parse_args, run

    try:
        run(parse_args(torchrun_args(spec, argv[0])))
    except ChildFailedError as exc:
        return _failed(spec, run_dir, exc.failures, skip)
    except SignalException:  # cancelled: torchrun passed the signal on and the ranks stopped with a checkpoint
        return EXIT_CANCELLED if isinstance(_final(_since_start(run_dir, skip)), Cancelled) else EXIT_ERROR
    final = _final(_since_start(run_dir, skip))
    if spec.node_rank > 0 and final is None:  # rank 0 is on another machine: so is the adapter
        with Emitter(run_dir) as emit:
            emit(Done(adapter="", metrics={"node_rank": spec.node_rank, "master_addr": spec.master_addr},
                      backend=spec.backend))
        return EXIT_OK
    return EXIT_CANCELLED if isinstance(final, Cancelled) else EXIT_OK


def _failed(spec: TrainingSpec, run_dir: Path, failures: Mapping[int, Any], skip: int) -> int:
    """One ``error`` event naming the rank that failed first, unless rank 0 failed first and said why itself."""
    root = first_failure(run_dir, failures)
    if root == 0 and isinstance(_final(_since_start(run_dir, skip)), Error):
        return EXIT_ERROR
    failure = failures[root]
    world = spec.processes * spec.nodes
    message = _("Process {rank} of {world} failed: {reason}").format(rank=root, world=world,
                                                                     reason=_reason(run_dir, root, failure))
    tail = stderr_tail(run_dir, failure.local_rank)
    if tail:
        message += "\n" + tail
    with Emitter(run_dir) as emit:
        emit(Error(kind="rank_failed", message=message, hint=_(
            "The log of every process is in {dir}. Resume the run from its last checkpoint with 'aeon-studio "
            "runs resume {id}'.").format(dir=run_dir / RANKS_DIR, id=run_dir.name)))
    return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
