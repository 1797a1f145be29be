"""UI-thread time per streamed token in the real chat tab: per-token relabel (before) vs coalesced (after).

A fake reply yields a 1,000-token answer at ~100 tokens/s from the chat's own ReplyWorker thread, so the
tokens reach the tab exactly as a model's do (queued signals). The UI thread's CPU time (``thread_time``)
over the stream, minus an idle event loop of the same length, divided by the tokens, is the cost per token.
"before" is the old path, measured in the same run: every token relabels the whole reply
(``setText(text + piece)``) of a selectable label; "after" is the tab as it is (TextCoalescer: one relabel per
~30 ms at most, of a label that is not selectable until the reply is done).

    .venv/bin/python bench/chat_stream.py [--tokens 1000] [--rate 100] [--repeats 2]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time

WORDS = ("the model writes a long and careful answer about rivers , mountains and the small towns that "
         "grow beside them ; each paragraph adds detail .").split()


def tokens(n: int) -> list[str]:
    """A deterministic reply of ``n`` pieces (~5 characters each), a paragraph break every ~60."""
    return ["\n\n" if i % 60 == 59 else (" " if i else "") + WORDS[i % len(WORDS)] for i in range(n)]


class PacedReply:
    """Yields ``pieces`` at ``rate`` per second on a fixed schedule (no drift), like a model decoding."""

    def __init__(self, pieces: list[str], rate: float) -> None:
        self.pieces, self.rate, self.cancelled = pieces, rate, False

    def cancel(self) -> None:
        self.cancelled = True

    def __iter__(self):
        t0 = time.perf_counter()
        for i, p in enumerate(self.pieces):
            if self.cancelled:
                return
            delay = t0 + i / self.rate - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            yield p


def wait_until(app, done) -> None:
    """Run the event loop (blocking, not spinning) until ``done()``."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    timer = QTimer()
    timer.timeout.connect(lambda: loop.quit() if done() else None)
    timer.start(50)
    loop.exec()
    timer.stop()


def idle_cpu(app, seconds: float) -> float:
    """UI-thread CPU seconds of the tab's event loop doing nothing for ``seconds``."""
    end = time.perf_counter() + seconds
    c0 = time.thread_time()
    wait_until(app, lambda: time.perf_counter() >= end)
    return time.thread_time() - c0


def stream_once(app, tab, pieces: list[str], rate: float, per_token: bool) -> dict:
    """Stream ``pieces`` into ``tab``; returns UI CPU seconds, wall seconds, relabels and the text shown."""
    from PySide6.QtCore import Qt

    shown: list[str] = []
    # The finished reply re-renders the conversation; record what the streaming bubble showed just before.
    tab.render_messages = lambda focus_id=None: shown.append(tab.stream_bubble.label.text())
    if per_token:  # the old _on_chunk: relabel the whole reply on every token
        tab._on_chunk = lambda piece: tab.stream_bubble.append(piece)
    else:
        tab.__dict__.pop("_on_chunk", None)
    relabels = [0]
    c0, t0 = time.thread_time(), time.perf_counter()
    tab._start(lambda: PacedReply(pieces, rate))
    label = tab.stream_bubble.label
    if per_token:  # and the old bubble: selectable while streaming
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    set_text = label.setText
    label.setText = lambda text: (relabels.__setitem__(0, relabels[0] + 1), set_text(text))
    wait_until(app, lambda: tab.worker is None)
    cpu, wall = time.thread_time() - c0, time.perf_counter() - t0
    del tab.render_messages
    tab.render_messages()  # clear the bubbles for the next run
    return {"cpu": cpu, "wall": wall, "relabels": relabels[0], "text": shown[0] if shown else None}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tokens", type=int, default=1000)
    ap.add_argument("--rate", type=float, default=100.0, help="tokens per second")
    ap.add_argument("--repeats", type=int, default=2)
    args = ap.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("AEON_STUDIO_LANGUAGE", "en")
    os.environ["AEON_STUDIO_HOME"] = tempfile.mkdtemp(prefix="aeon-bench-stream-")

    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    from aeon_studio.app.chat.tab import ChatTab
    from aeon_studio.app.context import AppContext
    from aeon_studio.app.style import apply_style

    apply_style(app)
    ctx = AppContext()
    tab = ChatTab(ctx)
    tab.resize(1180, 760)
    tab.show()
    app.processEvents()
    pieces = tokens(args.tokens)
    expected = "".join(pieces)
    stream_once(app, tab, pieces[:100], 1000.0, per_token=False)  # warm-up: fonts, first layout
    runs: dict[str, list[dict]] = {"before": [], "after": []}
    for _ in range(args.repeats):  # interleaved, so both see the same machine load
        for mode in ("before", "after"):
            r = stream_once(app, tab, pieces, args.rate, per_token=mode == "before")
            if r["text"] != expected:
                print(f"{mode}: the streamed text differs from the reply", file=sys.stderr)
                return 1
            runs[mode].append(r)
    wall = statistics.median(r["wall"] for r in runs["after"])
    idle = idle_cpu(app, wall)
    ctx.close()

    def per_token_ms(mode: str) -> float:
        return statistics.median((r["cpu"] - idle) / args.tokens * 1000 for r in runs[mode])

    before, after = per_token_ms("before"), per_token_ms("after")
    print(f"{args.tokens} tokens at {args.rate:g} tok/s, {len(expected)} characters, {args.repeats} run(s) each; "
          f"idle event loop {idle * 1000:.0f} ms CPU over {wall:.1f} s (subtracted)")
    for mode, value in (("before (setText per token)", before), ("after (coalesced, 30 ms)", after)):
        r = runs["before" if mode.startswith("before") else "after"]
        print(f"{mode:28s} UI thread {value:.3f} ms/token   relabels {statistics.median(x['relabels'] for x in r):.0f}"
              f"   UI CPU {statistics.median(x['cpu'] for x in r):.2f} s")
    print(f"ratio before/after: {before / max(after, 1e-9):.1f}x   final text identical: yes")
    return 0


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    # Skip interpreter finalization: with PySide6 6.12.0 on Python 3.11 every emit() drops a reference to True,
    # and after the bench's thousands of tokens the garbage collector at exit would abort (bool_dealloc).
    os._exit(code)
