"""Reload an export in llama.cpp and check it before it is reported as done.

Checks: the file loads; it carries the base's chat template and EOS token (the two things whose loss
makes a GGUF answer gibberish or never stop); at least one answer ends on its own; and it answers
like the adapter did (merged) or differently from the base alone (LoRA). A failed check deletes the
output and raises :class:`ExportCheckError` listing every failure.
"""

from __future__ import annotations

import contextlib
import logging
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..i18n import N_, _, ngettext
from .errors import ExportCheckError
from .gguf_io import quick_read

log = logging.getLogger(__name__)

#: Identity and general prompts: adapters trained here are mostly about who the assistant is.
DEFAULT_PROMPTS = ["Who are you?", "What is your name?", "What is the capital of France?"]
MAX_TOKENS = 64

CHECK_NAMES = {
    "loads": N_("loads in llama.cpp"),
    "template": N_("chat template"),
    "eos": N_("end-of-sequence token"),
    "stops": N_("answers end on their own"),
    "answers": N_("answers like the adapter"),
    "effect": N_("adapter changes the answers"),
    "repeats": N_("answers do not repeat themselves"),
}
#: A run of this many words or more, said this many times or more, in an answer is a loop, not an answer.
REPEAT_MIN_WORDS, REPEAT_MIN_TIMES = 3, 3


@dataclass
class Check:
    key: str
    ok: bool
    detail: str = ""

    @property
    def title(self) -> str:
        return _(CHECK_NAMES.get(self.key, self.key))


@dataclass
class VerifyReport:
    path: Path
    kind: str  # "lora" | "merged"
    checks: list[Check] = field(default_factory=list)
    answers: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(c.ok for c in self.checks)

    def failures(self) -> list[str]:
        return [f"{c.title}: {c.detail}" for c in self.checks if not c.ok]

    def as_dict(self) -> dict:
        return {"path": str(self.path), "kind": self.kind, "ok": self.ok, "seconds": round(self.seconds, 2),
                "checks": [{"check": c.key, "ok": c.ok, "detail": c.detail} for c in self.checks],
                "answers": self.answers}


@dataclass
class Answer:
    text: str
    finish_reason: str | None


def _engine(model: Path, lora: Path | None = None):
    from ..chat.engine import ChatEngine

    return ChatEngine(model, lora_path=lora, n_ctx=1024, seed=0)


def answer_all(model: Path, prompts: list[str], *, lora: Path | None = None, engine=None) -> dict[str, Answer]:
    """Greedy answers (temperature 0, no repeat penalty) through the chat template."""
    from ..chat.engine import ChatParams

    own = engine is None
    engine = engine or _engine(model, lora)
    try:
        out = {}
        params = ChatParams(temperature=0.0, top_p=1.0, max_tokens=MAX_TOKENS, seed=0, repeat_penalty=1.0)
        for prompt in prompts:
            stream = engine.stream([{"role": "user", "content": prompt}], params)
            for _piece in stream:
                pass
            out[prompt] = Answer(stream.text.strip(), stream.finish_reason)
        return out
    finally:
        if own:
            engine.close()


def _words(text: str, n: int) -> list[str]:
    return re.findall(r"\w+", text.lower())[:n]


def answers_agree(a: str, b: str, n_words: int = 5) -> bool:
    """Same first words (up to ``n_words``), ignoring case and punctuation."""
    wa, wb = _words(a, n_words), _words(b, n_words)
    k = min(len(wa), len(wb))
    return k > 0 and wa[:k] == wb[:k]


def repetition(text: str) -> tuple[int, int] | None:
    """``(words, times)`` of the longest run of words the text repeats back to back at least
    :data:`REPEAT_MIN_TIMES` times (e.g. ``(12, 5)``: the same 12 words 5 times), or ``None``."""
    words = re.findall(r"\w+", text.lower())
    best: tuple[int, int] | None = None
    for n in range(REPEAT_MIN_WORDS, len(words) // REPEAT_MIN_TIMES + 1):
        for start in range(0, len(words) - n * REPEAT_MIN_TIMES + 1):
            unit = words[start:start + n]
            times = 1
            while words[start + times * n:start + (times + 1) * n] == unit:
                times += 1
            if times >= REPEAT_MIN_TIMES and (best is None or n * times > best[0] * best[1]):
                best = (n, times)
    return best


def _repeat_check(got: dict[str, "Answer"]) -> Check:
    loops = {p: r for p, a in got.items() if (r := repetition(a.text)) is not None}
    if not loops:
        return Check("repeats", True, ngettext("the answer does not loop", "none of {total} answers loops",
                                               len(got)).format(total=len(got)))
    prompt, (n, times) = max(loops.items(), key=lambda kv: kv[1][0] * kv[1][1])
    detail = _("repeats itself: the same {words} {times} (asked {prompt!r})").format(
        words=ngettext("{n} word", "{n} words", n).format(n=n),
        times=ngettext("{n} time", "{n} times", times).format(n=times), prompt=prompt)
    # one looping answer of several may be the base model's own habit; most of them is the adapter's doing
    return Check("repeats", len(loops) * 2 <= len(got), detail)


def _static_checks(report: VerifyReport, engine, base_gguf: Path) -> None:
    base_kv = quick_read(base_gguf).kv
    meta = engine.llm.metadata or {}
    base_template = base_kv.get("tokenizer.chat_template")
    if report.kind == "lora":
        report.checks.append(Check("template", True, _("uses the base model's template") if base_template
                                   else _("base model has none; the '{fmt}' format is used").format(
                                       fmt=engine.chat_format)))
    elif base_template is None:
        from .merged_gguf import GEMMA_CHAT_TEMPLATE

        got = meta.get("tokenizer.chat_template")
        if got == GEMMA_CHAT_TEMPLATE:
            report.checks.append(Check("template", True, _("the Gemma chat template was added")))
        else:
            report.checks.append(Check("template", got is None, _("none, like the base model") if got is None
                                       else _("a template appeared that the base model does not have")))
    else:
        same = meta.get("tokenizer.chat_template") == base_template
        report.checks.append(Check("template", same, _("same as the base model") if same
                                   else _("missing or different from the base model's")))
    want = base_kv.get("tokenizer.ggml.eos_token_id")
    got = engine.llm.token_eos()
    eos_text = engine.llm.detokenize([got], special=True).decode("utf-8", errors="replace") if got >= 0 else ""
    ok = got >= 0 and (want is None or int(want) == got) and bool(eos_text)
    report.checks.append(Check("eos", ok, _("id {got} {text!r}").format(got=got, text=eos_text) if ok else
                               _("id {got}, the base model uses {want}").format(got=got, want=want)))


def verify_export(path: Path, *, kind: str, base_gguf: Path, prompts: list[str] | None = None,
                  reference: dict[str, str] | None = None, lora_for_reference: Path | None = None,
                  delete_on_failure: bool = True) -> VerifyReport:
    """Check ``path`` (``kind`` "lora": an adapter for ``base_gguf``; "merged": a standalone model).

    For a merged model the reference answers come from ``reference`` or are computed with
    ``base_gguf`` + ``lora_for_reference``. Raises :class:`ExportCheckError` (after deleting ``path``)
    when a check fails; returns the report otherwise.
    """
    t0 = time.perf_counter()
    path, base_gguf = Path(path), Path(base_gguf)
    prompts = list(prompts or DEFAULT_PROMPTS)
    report = VerifyReport(path, kind)
    engine = None
    try:
        try:
            engine = _engine(base_gguf, path) if kind == "lora" else _engine(path)
            report.checks.append(Check("loads", True, _("{arch}, {fmt}").format(
                arch=engine.architecture, fmt=engine.chat_format)))
        except Exception as exc:  # any load failure is a failed check, reported with its reason
            report.checks.append(Check("loads", False, str(exc).splitlines()[0]))
        if engine is not None:
            _static_checks(report, engine, base_gguf)
            got = answer_all(base_gguf, prompts, engine=engine)
            report.answers = {p: a.text for p, a in got.items()}
            stopped = sum(a.finish_reason == "stop" for a in got.values())
            report.checks.append(Check("stops", stopped > 0, _("{n} of {total} within {tokens}").format(
                n=stopped, total=len(prompts),
                tokens=ngettext("{n} token", "{n} tokens", MAX_TOKENS).format(n=MAX_TOKENS))))
            report.checks.append(_repeat_check(got))
            if kind == "lora":
                base = answer_all(base_gguf, prompts)
                changed = sum(base[p].text != got[p].text for p in prompts)
                report.checks.append(Check("effect", changed > 0, ngettext(
                    "{n} of {total} answer differs from the base model alone",
                    "{n} of {total} answers differ from the base model alone", len(prompts)).format(
                        n=changed, total=len(prompts))))
            else:
                if reference is None and lora_for_reference is not None:
                    reference = {p: a.text for p, a in answer_all(base_gguf, prompts, lora=lora_for_reference).items()}
                if reference:
                    agree = sum(answers_agree(got[p].text, reference[p]) for p in prompts if p in reference)
                    need = (len(reference) + 1) // 2
                    report.checks.append(Check("answers", agree >= need, _("{n} of {total} agree with base + "
                                                                           "adapter").format(n=agree,
                                                                                             total=len(reference))))
    finally:
        if engine is not None:
            engine.close()
    report.seconds = time.perf_counter() - t0
    log.info("verify %s: %s", path, report.as_dict())
    if not report.ok:
        if delete_on_failure:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
            with contextlib.suppress(OSError):  # no empty export folder is left behind
                path.parent.rmdir()
        msg = (_("The export {path} failed its checks and was deleted: {failures}") if delete_on_failure
               else _("The export {path} failed its checks: {failures}"))
        err = ExportCheckError(
            msg.format(path=path.name, failures="; ".join(report.failures())),
            hint=_("Check that the adapter was trained on this base model; see the log for the answers."),
            failures=report.failures())
        err.report = report  # type: ignore[attr-defined]
        raise err
    return report


def check_adapter(peft_dir: Path, base_gguf: Path, out_gguf: Path, *, name: str | None = None,
                  prompts: list[str] | None = None) -> VerifyReport:
    """The checks that decide whether a trained adapter may be used at all (the same as a LoRA export's):
    convert it to ``out_gguf`` and load it on ``base_gguf`` in llama.cpp, as the chat will. Returns the report,
    passed or not; a failed one leaves no file behind."""
    from .lora_gguf import convert_lora

    try:
        convert_lora(Path(peft_dir), Path(base_gguf), Path(out_gguf), name=name)
    except Exception as exc:  # a conversion failure is a failed check, reported with its reason
        report = VerifyReport(Path(out_gguf), "lora", [Check("loads", False, str(exc).splitlines()[0])])
        Path(out_gguf).unlink(missing_ok=True)
        return report
    try:
        return verify_export(Path(out_gguf), kind="lora", base_gguf=Path(base_gguf), prompts=prompts)
    except ExportCheckError as err:
        return err.report  # type: ignore[attr-defined]
