"""Chat engine over llama-cpp-python.

``ChatEngine.stream(messages, params)`` returns a :class:`ChatStream`: an iterator of
text chunks that can be cancelled from another thread and that carries notices
(e.g. "older turns were left out"). It never runs on the UI thread; the GUI pulls
it from a worker thread.
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ModelError, ValidationError
from ..i18n import _, ngettext
from ..models.gguf_info import check_header

log = logging.getLogger(__name__)

#: Template tokens around each message (role header, end marker); ChatML uses ~5.
PER_MESSAGE_OVERHEAD = 8
#: Tokens kept free for the generation prompt and rounding.
SAFETY_MARGIN = 16


@dataclass
class ChatParams:
    temperature: float = 0.7
    top_p: float = 0.95
    max_tokens: int = 512
    seed: int | None = None
    repeat_penalty: float = 1.1
    stop: list[str] = field(default_factory=list)


def fallback_chat_format(architecture: str) -> str:
    """llama-cpp-python chat format for a GGUF without ``tokenizer.chat_template``."""
    arch = architecture.lower()
    if arch.startswith("gemma"):
        return "gemma"
    if arch.startswith("mistral"):
        return "mistral-instruct"
    return "chatml"


class OnceStream:
    """What every reply stream shares: read once (``__iter__`` runs ``_run``), cancelled through ``_cancel``.

    Subclasses set ``self._cancel = threading.Event()`` and ``self._started = False`` and define ``_run``.
    """

    _cancel: threading.Event
    _started: bool

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def __iter__(self) -> Iterator[str]:
        if self._started:
            raise RuntimeError("a reply stream can be iterated once")
        self._started = True
        return self._run()

    def _run(self) -> Iterator[str]:  # pragma: no cover - every subclass defines it
        raise NotImplementedError


class ChatStream(OnceStream):
    """One generation. Iterate for text chunks; ``cancel()`` stops it between tokens."""

    def __init__(self, engine: "ChatEngine", messages: list[dict], params: ChatParams,
                 notices: list[str], prompt_tokens: int) -> None:
        self._engine = engine
        self.messages = messages
        self.params = params
        self.notices = notices
        self.prompt_tokens = prompt_tokens
        self.text = ""
        self.completion_tokens = 0
        self.finish_reason: str | None = None
        self.first_token_s: float | None = None
        self.elapsed_s: float = 0.0
        self._cancel = threading.Event()
        self._started = False

    def cancel(self) -> None:
        self._cancel.set()

    def _run(self) -> Iterator[str]:
        llm = self._engine.llm
        t0 = time.perf_counter()
        with self._engine.lock:
            if self._cancel.is_set():
                self.finish_reason = "stopped"
                return
            p = self.params
            gen = llm.create_chat_completion(
                messages=self.messages, temperature=p.temperature, top_p=p.top_p, max_tokens=p.max_tokens,
                repeat_penalty=p.repeat_penalty, stop=p.stop or None, seed=p.seed, stream=True,
            )
            try:
                for chunk in gen:
                    choice = chunk["choices"][0]
                    piece = choice.get("delta", {}).get("content")
                    if choice.get("finish_reason"):
                        self.finish_reason = choice["finish_reason"]
                    if piece:
                        if self.first_token_s is None:
                            self.first_token_s = time.perf_counter() - t0
                        self.completion_tokens += 1
                        self.text += piece
                        yield piece
                    if self._cancel.is_set():
                        self.finish_reason = "stopped"
                        break
            finally:
                gen.close()
                self.elapsed_s = time.perf_counter() - t0


class ChatEngine:
    """A loaded GGUF model (optionally with a LoRA adapter GGUF)."""

    def __init__(self, model_path: Path, *, n_ctx: int = 4096, n_threads: int | None = None,
                 lora_path: Path | None = None, chat_format: str | None = None, seed: int = 0) -> None:
        self.model_path = Path(model_path)
        self.lora_path = Path(lora_path) if lora_path else None
        self.n_ctx = n_ctx
        check_header(self.model_path)
        if self.lora_path is not None:
            check_header(self.lora_path)
        from ..settings import default_threads

        self.n_threads = n_threads or default_threads()
        self.lock = threading.Lock()
        try:
            from llama_cpp import Llama
        except ImportError as exc:  # pragma: no cover - a dependency
            log.warning("cannot import llama_cpp", exc_info=True)
            raise ModelError(_("llama-cpp-python is not installed."),
                             hint=_("Run the setup command from the README.")) from exc
        try:
            self.llm = Llama(
                model_path=str(self.model_path), n_ctx=n_ctx, n_threads=self.n_threads,
                n_threads_batch=self.n_threads, lora_path=str(self.lora_path) if self.lora_path else None,
                seed=seed, verbose=False,
            )
        except Exception as exc:
            what = self.lora_path if self.lora_path and "lora" in str(exc).lower() else self.model_path
            raise ModelError(
                _("llama.cpp could not load {path}: {error}").format(path=what, error=exc),
                hint=_("The file may be damaged or made for another llama.cpp version; try another model."),
            ) from exc
        meta = self.llm.metadata or {}
        self.architecture = meta.get("general.architecture", "unknown")
        self.has_template = "tokenizer.chat_template" in meta
        if chat_format:
            self.llm.chat_format = chat_format
        elif not self.has_template:
            self.llm.chat_format = fallback_chat_format(self.architecture)
            self.llm.chat_handler = None
        self.chat_format = self.llm.chat_format if not self.has_template else "gguf-template"
        #: LoRA GGUFs loaded through :meth:`set_lora`, by path (a switch back costs nothing).
        self._loras: dict[str, object] = {}
        self._formatter = None
        if self.has_template:
            from llama_cpp.llama_chat_format import Jinja2ChatFormatter

            def token_text(token_id: int) -> str:
                return self.llm.detokenize([token_id], special=True).decode("utf-8", errors="ignore")

            try:
                self._formatter = Jinja2ChatFormatter(
                    template=meta["tokenizer.chat_template"], eos_token=token_text(self.llm.token_eos()),
                    bos_token=token_text(self.llm.token_bos()), add_generation_prompt=True)
            except Exception:  # an unusual template: fall back to the estimate
                log.warning("cannot render the chat template of %s for token counting", self.model_path)

    # -- LoRA hot-swap ---------------------------------------------------------
    def set_lora(self, path: Path | None) -> None:
        """Answer through the LoRA adapter GGUF at ``path`` from now on (None: the bare model).

        The base weights stay loaded; each adapter is read once and kept (by path) until :meth:`close`,
        so switching back and forth is cheap. Evaluation and the arena compare two models this way.

        Raises:
            ModelError: the file is not a LoRA GGUF llama.cpp can apply to this model.
        """
        import ctypes

        import llama_cpp

        with self.lock:
            key = str(Path(path).resolve()) if path is not None else None
            adapter = None
            if key is not None:
                adapter = self._loras.get(key)
                if adapter is None:
                    check_header(Path(key))
                    adapter = llama_cpp.llama_adapter_lora_init(self.llm.model, key.encode("utf-8"))
                    if not adapter:
                        raise ModelError(_("llama.cpp could not load the LoRA adapter {path}.").format(path=key),
                                         hint=_("It may be made for another base model or damaged; export the "
                                                "adapter again ('aeon-studio export gguf')."))
                    self._loras[key] = adapter
            if adapter is None:
                rc = llama_cpp.llama_set_adapters_lora(self.llm.ctx, None, 0, None)
            else:
                adapters = (llama_cpp.llama_adapter_lora_p_ctypes * 1)(adapter)
                rc = llama_cpp.llama_set_adapters_lora(self.llm.ctx, adapters, 1, (ctypes.c_float * 1)(1.0))
            if rc:
                raise ModelError(_("llama.cpp could not apply the LoRA adapter {path}.").format(path=key))
            self.lora_path = Path(key) if key else None
            # The KV cache was computed with the previous weights: no prompt prefix may be reused.
            self.llm.reset()

    def prompt_token_ids(self, messages: list[dict]) -> list[int] | None:
        """The token ids the chat template turns ``messages`` into (with the generation prompt), exactly as
        the chat feeds them to the model; None when the model has no chat template of its own."""
        if self._formatter is None:
            return None
        prompt = self._formatter(messages=messages).prompt
        return self.llm.tokenize(prompt.encode("utf-8"), add_bos=False, special=True)

    # -- tokens ------------------------------------------------------------------
    def count_tokens(self, text: str) -> int:
        return len(self.llm.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    def prompt_tokens(self, messages: list[dict]) -> int:
        """Tokens of the whole prompt as the chat template renders it (the template may add
        its own default system prompt), or an estimate when it cannot be rendered."""
        if self._formatter is not None:
            try:
                prompt = self._formatter(messages=messages).prompt
                return len(self.llm.tokenize(prompt.encode("utf-8"), add_bos=False, special=True))
            except Exception:
                pass
        return sum(self.count_tokens(m["content"]) + PER_MESSAGE_OVERHEAD for m in messages) + SAFETY_MARGIN

    def _trim_to_tokens(self, text: str, limit: int) -> str:
        tokens = self.llm.tokenize(text.encode("utf-8"), add_bos=False, special=False)[: max(0, limit)]
        return self.llm.detokenize(tokens).decode("utf-8", errors="ignore")

    def fit_context(self, messages: list[dict], max_tokens: int) -> tuple[list[dict], list[str], int]:
        """Keep the system prompt and the newest turns within ``n_ctx``.

        Drops the oldest turns first; if the newest user message alone is too long,
        trims it. Returns (messages, notices, prompt tokens)."""
        budget = self.n_ctx - max_tokens - SAFETY_MARGIN
        system = [m for m in messages[:1] if m["role"] == "system"]
        turns = list(messages[len(system):])
        dropped, trimmed_to = 0, None
        # Cheap per-message estimates choose what to drop; the rendered prompt confirms it.
        costs = [self.count_tokens(m["content"]) + PER_MESSAGE_OVERHEAD for m in turns]
        fixed = self.prompt_tokens(system + turns[-1:]) - costs[-1] if turns else 0
        for _attempt in range(8):
            while len(turns) > 1 and fixed + sum(costs) > budget:
                turns, costs = turns[1:], costs[1:]
                dropped += 1
                while len(turns) > 1 and turns[0]["role"] == "assistant":  # no orphan reply first
                    turns, costs = turns[1:], costs[1:]
                    dropped += 1
            total = self.prompt_tokens(system + turns)
            if total <= budget or not turns:
                break
            if len(turns) > 1:
                costs[0] += total - budget  # the estimate was low: drop more
                continue
            allowed = self.count_tokens(turns[-1]["content"]) - (total - budget) - 4
            if allowed < 16:
                raise ValidationError(
                    _("The system prompt alone uses about {n} of the model's {context}.").format(
                        n=total - costs[-1], context=ngettext("{n} context token", "{n} context tokens",
                                                              self.n_ctx).format(n=self.n_ctx)),
                    hint=_("Shorten the persona's system prompt or lower its max tokens."),
                )
            turns = [{**turns[-1], "content": self._trim_to_tokens(turns[-1]["content"], allowed)}]
            costs = [allowed + PER_MESSAGE_OVERHEAD]
            trimmed_to = allowed
        notices: list[str] = []
        if dropped:
            context = ngettext("{n} token", "{n} tokens", self.n_ctx).format(n=self.n_ctx)
            notices.append(ngettext("{n} older message was left out so the conversation fits the model's context "
                                    "({context}).",
                                    "{n} older messages were left out so the conversation fits the model's context "
                                    "({context}).", dropped).format(n=dropped, context=context))
        if trimmed_to is not None:
            notices.append(ngettext("Your message was too long for the model's context and was trimmed to its first "
                                    "{n} token.",
                                    "Your message was too long for the model's context and was trimmed to its first "
                                    "{n} tokens.", trimmed_to).format(n=trimmed_to))
        return system + turns, notices, total

    def stream(self, messages: list[dict], params: ChatParams | None = None) -> ChatStream:
        params = params or ChatParams()
        max_tokens = max(1, min(params.max_tokens, self.n_ctx // 2))
        if max_tokens != params.max_tokens:
            params = ChatParams(**{**params.__dict__, "max_tokens": max_tokens})
        fitted, notices, prompt_tokens = self.fit_context(messages, max_tokens)
        return ChatStream(self, fitted, params, notices, prompt_tokens)

    def complete(self, messages: list[dict], params: ChatParams | None = None) -> str:
        stream = self.stream(messages, params)
        for _piece in stream:
            pass
        return stream.text

    def close(self) -> None:
        llm = getattr(self, "llm", None)
        if llm is not None:
            if getattr(self, "_loras", None):
                import llama_cpp

                # Adapters belong to the model: free them before it goes.
                llama_cpp.llama_set_adapters_lora(llm.ctx, None, 0, None)
                for adapter in self._loras.values():
                    llama_cpp.llama_adapter_lora_free(adapter)
                self._loras.clear()
            llm.close()
            self.llm = None


_cache_lock = threading.Lock()
_cached: dict[tuple, ChatEngine] = {}


def get_engine(model_path: Path, *, lora_path: Path | None = None, n_ctx: int | None = None,
               n_threads: int | None = None, chat_format: str | None = None) -> ChatEngine:
    """A shared engine for this model + adapter; one model stays loaded at a time."""
    from ..settings import get_settings

    settings = get_settings()
    key = (str(model_path), str(lora_path) if lora_path else None, n_ctx or settings.n_ctx,
           n_threads or settings.n_threads, chat_format)
    with _cache_lock:
        engine = _cached.get(key)
        if engine is None:
            for old in _cached.values():
                with old.lock:
                    old.close()
            _cached.clear()
            engine = _cached[key] = ChatEngine(model_path, lora_path=lora_path, n_ctx=key[2], n_threads=key[3],
                                               chat_format=chat_format)
        return engine


def unload_engines() -> None:
    with _cache_lock:
        for engine in _cached.values():
            engine.close()
        _cached.clear()


# Free the models while the interpreter is whole: llama-cpp-python's own finalizer fails noisily
# ("'NoneType' object is not callable") when it runs during interpreter shutdown.
atexit.register(unload_engines)
