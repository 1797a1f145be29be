"""Training worker process: ``python -m aeon_studio.core.training.worker SPEC.json``.

Writes one JSON event per line to stdout and ``<run>/events.jsonl``: preflight, start, step, eval, checkpoint,
resume, checks, cancelled, done or error (their fields: :mod:`.events`). Cancel with SIGTERM/SIGINT or by
creating ``<run>/cancel``.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sys
import time
import traceback
from pathlib import Path
from types import TracebackType
from typing import Any, Callable

from ..errors import AeonError
from ..i18n import _, ngettext
from .data import TrainingError, _ids, read_jsonl
from .events import Cancelled, Checks, Done, Error, Event, Preflight
from .spec import TrainingSpec, total_steps

EXIT_OK, EXIT_ERROR, EXIT_CANCELLED = 0, 1, 3


class Emitter:
    """Writes each event as one flushed JSON line to ``<run>/events.jsonl`` and to stdout.

    A context manager: the worker closes the file on every way out (done, error, cancelled, a crash)."""

    def __init__(self, run_dir: Path) -> None:
        self.file = open(run_dir / "events.jsonl", "a", encoding="utf-8")  # noqa: SIM115 - closed by close()

    def __call__(self, event: Event) -> None:
        line = event.to_json()
        self.file.write(line + "\n")
        self.file.flush()  # readers follow the file while the run goes on
        print(line, flush=True)

    @property
    def closed(self) -> bool:
        return self.file.closed

    def close(self) -> None:
        self.file.close()

    def __enter__(self) -> Emitter:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


Emit = Callable[[Event], None]


def available_ram_mb() -> int:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) // 1024
    except OSError:
        pass
    return 8192


def estimate_ram_mb(n_params: int, hidden: int, layers: int, vocab: int, batch: int, seq: int) -> int:
    """fp32 weights + activations kept for backward (rough, measured-order) + logits."""
    weights = n_params * 4
    acts = batch * seq * hidden * layers * 4 * 24
    logits = batch * seq * vocab * 4 * 3
    # + the worker's libraries once imported (torch, transformers, PEFT, TRL, datasets: 468 MB measured on CPU)
    return int((weights + acts + logits) / 2**20) + 500


def preflight(spec: TrainingSpec, model, tok, rows, emit: Emit) -> TrainingSpec:
    cfg = model.config
    n_params = sum(p.numel() for p in model.parameters())
    hidden = getattr(cfg, "hidden_size", 512)
    layers = getattr(cfg, "num_hidden_layers", 12)
    vocab = getattr(cfg, "vocab_size", 32000)
    lengths = []
    for r in rows[:200]:
        msgs = r.get("messages") or [{"role": "user", "content": str(r.get("prompt", ""))},
                                      {"role": "assistant", "content": str(r.get("chosen", ""))}]
        try:
            lengths.append(len(_ids(tok, msgs, gen=False)))
        except Exception:  # noqa: BLE001
            lengths.append(spec.max_seq_len)
    avg = sum(lengths) / max(1, len(lengths))
    dataset_tokens = int(avg * len(rows))
    from . import ranks

    # the processes of a distributed run on this machine each hold a model: each gets its share of the memory
    limit = spec.memory_limit_mb or int(available_ram_mb() * 0.8) // ranks.local_world_size()
    seq = min(spec.max_seq_len, max(lengths) if lengths else spec.max_seq_len)
    notes = []
    batch, max_len = spec.batch_size, spec.max_seq_len
    while estimate_ram_mb(n_params, hidden, layers, vocab, batch, seq) > limit and (batch > 1 or max_len > 64):
        if batch > 1:
            batch //= 2
        else:
            max_len //= 2
            seq = min(seq, max_len)
    if batch != spec.batch_size:
        notes.append(_("Batch size lowered from {a} to {b} to fit in memory.").format(a=spec.batch_size, b=batch))
    if max_len != spec.max_seq_len:
        notes.append(_("Max sequence length lowered from {a} to {b} to fit in memory.").format(
            a=spec.max_seq_len, b=max_len))
    spec = spec.model_copy(update={"batch_size": batch, "max_seq_len": max_len})
    # probe: one forward+backward on a representative batch, no weights changed
    import torch

    probe_len = int(min(max_len, max(8, avg)))
    ids = torch.randint(0, vocab, (batch, probe_len))
    t0 = time.monotonic()
    out = model(input_ids=ids, labels=ids)
    out.loss.backward()
    model.zero_grad(set_to_none=True)
    probe_s = time.monotonic() - t0
    steps, _per_epoch = total_steps(spec.model_copy(update={"batch_size": batch}), len(rows))
    emit(Preflight(params=n_params, examples=len(rows), dataset_tokens=dataset_tokens,
                   ram_estimate_mb=estimate_ram_mb(n_params, hidden, layers, vocab, batch, seq),
                   ram_available_mb=limit, batch_size=batch, max_seq_len=max_len, probe_step_s=round(probe_s, 3),
                   estimated_s=round(probe_s * 0.6 * steps, 1), notes=notes))
    return spec


def check_prompts(rows: list[dict[str, Any]], n: int = 3) -> list[str]:
    """The general check prompts plus the last question of ``n`` training examples: an adapter that learned its
    data answers those differently from the base model."""
    from ..export.verify import DEFAULT_PROMPTS

    picked: list[str] = []
    for r in rows:
        users = [m.get("content", "") for m in r.get("messages") or [] if m.get("role") == "user"]
        if users and users[-1].strip() and users[-1] not in picked and users[-1] not in DEFAULT_PROMPTS:
            picked.append(users[-1][:500])
        if len(picked) >= n:
            break
    return list(DEFAULT_PROMPTS) + picked


def check_adapter_for_use(spec: TrainingSpec, adapter: Path, emit: Emit, prompts: list[str] | None = None) -> None:
    """Load the new adapter in llama.cpp on the base GGUF, as the chat will, and ask it a few questions: the
    ``checks`` event says whether it may be offered at all (the same checks as a LoRA export). Their answers
    go to ``<run>/checks.json``. Skipped (and said so) when the base is not a GGUF llama.cpp can load."""
    from .base import resolve_base

    try:
        base = resolve_base(spec.base)
    except AeonError:
        base = None
    from ..models.gguf_info import is_gguf_file

    if base is None or not is_gguf_file(base):  # not the suffix: a model used from Ollama's library has none
        emit(Checks(ok=None, skipped=_("the base model is not a GGUF file, so llama.cpp cannot load it")))
        return
    from ..export.verify import check_adapter

    run_dir = Path(spec.run_dir)
    out = run_dir / "adapter.lora-f16.gguf"
    report = check_adapter(adapter, base, out, name=run_dir.name, prompts=prompts)
    log = run_dir / "checks.json"
    log.write_text(json.dumps(report.as_dict(), ensure_ascii=False, indent=2), encoding="utf-8")
    emit(Checks(ok=report.ok, failures=report.failures(), log=str(log), gguf=str(out) if report.ok else None,
                checks=[{"check": c.key, "ok": c.ok, "detail": c.detail} for c in report.checks]))


def run(spec: TrainingSpec) -> int:
    """Train ``spec`` and write its events; returns the exit code (0 done, 1 error, 3 cancelled)."""
    from . import ranks

    run_dir = Path(spec.run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    # under torchrun only rank 0 writes events; the others keep their errors for the launcher (see .ranks)
    with (Emitter(run_dir) if ranks.is_main() else ranks.Silent()) as emit:
        try:
            return _run(spec, run_dir, ranks.keeping_errors(emit, run_dir))
        finally:
            ranks.finish()


def _run(spec: TrainingSpec, run_dir: Path, emit: Emit) -> int:
    """preflight → train → one final event (done, cancelled or error), every error mapped to an ``error``."""
    from . import ranks

    if ranks.is_main():
        (run_dir / "worker.pid").write_text(str(os.getpid()))
    stop = {"flag": False}

    def on_signal(signum, frame):  # noqa: ARG001
        stop["flag"] = True

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    cancel_file = run_dir / "cancel"

    def should_stop() -> bool:  # asked once a step by every rank: they stop together or not at all
        return ranks.agree_any(stop["flag"] or cancel_file.exists())

    try:
        from .backends import select_backend

        backend = select_backend(spec.backend)
        rows = read_jsonl(Path(spec.dataset_path))
        if not rows:
            raise TrainingError(_("The dataset snapshot {path} is empty.").format(path=spec.dataset_path),
                                hint=_("Rate some replies (4 or 5) or add examples to the dataset, then retry."))
        from .trl_prefs import check_shape

        check_shape(spec.method, rows, spec.dataset_path)  # before any model is loaded
        ranks.init()
        rng = random.Random(spec.seed)
        rows = rows[:]
        rng.shuffle(rows)
        eval_rows: list[dict[str, Any]] = read_jsonl(Path(spec.eval_path)) if spec.eval_path else []
        if spec.eval_fraction > 0 and not spec.eval_path:
            n_eval = int(len(rows) * spec.eval_fraction)
            if n_eval == 0:
                raise TrainingError(
                    ngettext("The eval split is empty: {frac:.0%} of {n} example rounds to 0.",
                             "The eval split is empty: {frac:.0%} of {n} examples rounds to 0.", len(rows)).format(
                        frac=spec.eval_fraction, n=len(rows)),
                    hint=_("Add examples or set the eval fraction to 0."))
            eval_rows, rows = rows[:n_eval], rows[n_eval:]
        if backend == "unsloth":
            from .backends import unsloth_backend
            from .base import ensure_hf_folder

            result = unsloth_backend.train(spec, str(ensure_hf_folder(spec.base)), rows, eval_rows, emit,
                                           should_stop)
        else:
            from .backends import peft_backend
            from .base import load_base

            import torch

            torch.set_num_threads(int(os.environ.get("AEON_TRAIN_THREADS", "0")) or torch.get_num_threads())
            model, tok, _folder = load_base(spec.base)
            spec = preflight(spec, model, tok, rows, emit)
            batch, max_len = ranks.agree_min([spec.batch_size, spec.max_seq_len])  # what fits in every process
            spec = spec.model_copy(update={"batch_size": batch, "max_seq_len": max_len})
            result = peft_backend.train(spec, model, tok, rows, eval_rows, emit, should_stop)
        if result.get("cancelled"):
            emit(Cancelled(step=result.get("step"), checkpoint=result.get("checkpoint")))
            return EXIT_CANCELLED
        if not ranks.is_main():
            return EXIT_OK  # rank 0 saved the adapter and runs the checks
        if spec.method == "sft":
            check_adapter_for_use(spec, Path(result["adapter"]), emit, check_prompts(rows))
        emit(Done(adapter=result["adapter"], metrics=result["metrics"], backend=backend))
        return EXIT_OK
    except NotImplementedError as exc:
        emit(Error(kind="not_implemented", message=str(exc), hint=_("Use the peft backend.")))
        return EXIT_ERROR
    except AeonError as exc:
        emit(Error(kind=type(exc).__name__, message=exc.message, hint=exc.hint))
        return EXIT_ERROR
    except MemoryError as exc:
        emit(Error(kind="memory", message=str(exc) or "out of memory",
                   hint=_("Use a smaller preset, batch size or max sequence length.")))
        return EXIT_ERROR
    except Exception as exc:  # noqa: BLE001
        emit(Error(kind=type(exc).__name__, message=str(exc), hint=_("See the traceback in {path}.").format(
            path=run_dir / "worker.log")))
        # appended: the log already holds this process's stderr (and torchrun's), which the traceback must not wipe
        with (run_dir / "worker.log").open("a", encoding="utf-8") as log:
            log.write(traceback.format_exc())
        return EXIT_ERROR


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print("usage: python -m aeon_studio.core.training.worker SPEC.json", file=sys.stderr)
        return 2
    spec = TrainingSpec.model_validate_json(Path(argv[0]).read_text(encoding="utf-8"))
    return run(spec)


if __name__ == "__main__":
    sys.exit(main())
