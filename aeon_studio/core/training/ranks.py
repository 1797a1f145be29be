"""The worker's side of a distributed run (``train --processes N``, started by :mod:`.launch` through torchrun).

torchrun starts the same worker once per process and tells each which one it is (``RANK``, ``LOCAL_RANK``,
``WORLD_SIZE``, ``LOCAL_WORLD_SIZE``); the Hugging Face trainer reads those and trains with DDP. Rank 0 is the
run's voice: it writes the events, the checkpoints and the adapter, and runs the checks after training. The other
ranks train their share and say nothing, except when they fail: then the error goes to their stderr (the run's
``worker.log`` and ``ranks/``) and to ``ranks/error-N.json``, from which the launcher names the rank that failed
first. Choices every rank must make alike (stop now on a cancel, a batch lowered to fit in memory) are agreed
through one small all-reduce, so no rank waits forever for another that already stopped.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from types import TracebackType
from typing import Callable

from .events import Error, Event

#: The folder of the run where torchrun keeps each process's stderr and the ranks leave their errors.
RANKS_DIR = "ranks"


def _env(name: str, default: int) -> int:
    try:
        return int(os.environ.get(name, default))
    except ValueError:
        return default


def rank() -> int:
    """This process's global rank (0 when not distributed)."""
    return _env("RANK", 0)


def world_size() -> int:
    """How many processes train together (1 when not distributed)."""
    return _env("WORLD_SIZE", 1)


def local_rank() -> int:
    """This process's number on its machine (its GPU, with CUDA)."""
    return _env("LOCAL_RANK", 0)


def local_world_size() -> int:
    """How many of them run on this machine (they share its memory)."""
    return _env("LOCAL_WORLD_SIZE", 1)


def distributed() -> bool:
    """True in a worker started by torchrun with more than one process."""
    return world_size() > 1


def is_main() -> bool:
    """True in the process that speaks for the run (rank 0)."""
    return rank() == 0


def error_file(run_dir: Path, of_rank: int) -> Path:
    """Where rank ``of_rank`` leaves its error (an ``error`` event as JSON)."""
    return run_dir / RANKS_DIR / f"error-{of_rank}.json"


def init() -> None:
    """Join the process group (NCCL on CUDA, gloo on CPU) before the trainer would, so that the worker can agree
    on things before training; the trainer uses the group it finds."""
    if not distributed():
        return
    import torch
    import torch.distributed as dist

    if dist.is_initialized():
        return
    if torch.cuda.is_available():
        torch.cuda.set_device(local_rank())  # one GPU per process: NCCL needs it set before joining
    dist.init_process_group(backend=backend())


def backend() -> str:
    """The torch.distributed backend of this machine: ``nccl`` with CUDA, else ``gloo``."""
    import torch

    return "nccl" if torch.cuda.is_available() else "gloo"


def finish() -> None:
    """Leave the process group (torch warns about a group left open at exit)."""
    if not distributed():
        return
    import torch.distributed as dist

    if dist.is_initialized():
        dist.destroy_process_group()


def _reduce(values: list[int], op_name: str) -> list[int]:
    import torch
    import torch.distributed as dist

    device = "cuda" if backend() == "nccl" else "cpu"
    t = torch.tensor(values, dtype=torch.long, device=device)
    dist.all_reduce(t, op=getattr(dist.ReduceOp, op_name))
    return [int(x) for x in t.tolist()]


def agree_any(flag: bool) -> bool:
    """True on every rank when it is true on any (a cancel seen by one process stops them all at the same
    step); the flag itself when not distributed. Every rank must call it at the same point."""
    if not distributed():
        return flag
    return bool(_reduce([int(flag)], "MAX")[0])


def agree_min(values: list[int]) -> list[int]:
    """The smallest of each value over all ranks (a batch size lowered to fit in one process's memory applies to
    all); the values themselves when not distributed."""
    if not distributed():
        return list(values)
    return _reduce(list(values), "MIN")


class Silent:
    """The emitter of ranks other than 0: events are dropped (rank 0 writes them), a final ``error`` is not."""

    closed = False

    def __call__(self, event: Event) -> None:
        pass

    def close(self) -> None:
        self.closed = True

    def __enter__(self) -> Silent:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def keeping_errors(emit: Callable[[Event], None], run_dir: Path) -> Callable[[Event], None]:
    """``emit`` that, in a distributed run, also leaves each ``error`` in ``ranks/error-N.json`` and on stderr: the
    launcher compares their times to tell the first failure from the others it caused."""
    if not distributed():
        return emit
    me = rank()

    def wrapped(event: Event) -> None:
        if isinstance(event, Error):
            path = error_file(run_dir, me)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(event.to_dict(), ensure_ascii=False), encoding="utf-8")
            print(f"[rank {me}] {event.message}" + (f"\n{event.hint}" if event.hint else ""), file=sys.stderr,
                  flush=True)
        emit(event)

    return wrapped


def trainer_args() -> dict[str, object]:
    """The DDP options of the trainer in a distributed run (none otherwise): this machine's backend, no search for
    unused parameters (every LoRA weight gets a gradient; the search costs a pass over the graph), and on CPU
    ``use_cpu`` (without it accelerate sees no distributed CPU setup and each process would train alone)."""
    if not distributed():
        return {}
    name = backend()
    return {"ddp_backend": name, "ddp_find_unused_parameters": False, **({"use_cpu": True} if name == "gloo" else {})}
