"""A stand-in for :class:`aeon_studio.app.evaluation.data.EvaluationData` that keeps everything in memory."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime

from aeon_studio.app.evaluation.data import Golden, Version
from aeon_studio.core.errors import ValidationError


def metrics(model: str, ppl: float, passed: int, total: int = 6, bleu: float = 20.0, chrf: float = 40.0,
            empty: int = 0) -> dict:
    return {"model": model, "perplexity": ppl, "bleu": bleu, "chrf": chrf, "golden_passed": passed,
            "golden_total": total, "empty": empty, "repetitive": 0, "cut": 0}


@dataclass
class Result:
    promoted: bool | None
    reasons: list[str]


@dataclass
class Comparison:
    candidate: dict
    against: dict


class FakeData:
    def __init__(self) -> None:
        t = datetime(2026, 11, 28, 9, 0)
        self.versions_ = [
            Version("casual-3", t.replace(day=30), "casual-2", "not-promoted", False,
                    metrics("casual-3", 12.9, 3, empty=1),
                    {"promoted": False, "reasons": ["golden 5/6 → 3/6"], "by": "gate"}),
            Version("casual-2", t.replace(day=29), "casual-1", "ready", True, metrics("casual-2", 9.7, 5),
                    {"promoted": True, "reasons": ["perplexity 14.2 → 9.7 (−32 %)"], "by": "gate"}),
            Version("casual-1", t, None, "ready", False, metrics("casual-1", 14.2, 4), {}),
        ]
        self.golden_: list[Golden] = [Golden(1, "Who are you?", ["Aeon"], ["SmolLM"])]
        self.calls: list[tuple] = []

    def personas(self):
        return [("casual", "Casual"), ("formal", "Formal")]

    def versions(self, persona_key):
        return list(self.versions_) if persona_key == "casual" else []

    def _activate(self, adapter_id):
        self.versions_ = [replace(v, active=v.id == adapter_id) for v in self.versions_]

    def promote(self, adapter_id):
        self.calls.append(("promote", adapter_id))
        self._activate(adapter_id)

    def rollback(self, persona_key, to=None):
        self.calls.append(("rollback", persona_key, to))
        self._activate(to or "casual-1")

    def delete(self, adapter_id):
        if any(v.active and v.id == adapter_id for v in self.versions_):
            raise ValidationError("Adapter is in use.", hint="Roll back first.")
        self.versions_ = [v for v in self.versions_ if v.id != adapter_id]

    def golden(self, persona_key):
        return list(self.golden_) if persona_key == "casual" else []

    def save_golden(self, persona_key, item):
        if item.regex:
            for pattern in item.must + item.must_not:
                try:
                    re.compile(pattern)
                except re.error as exc:
                    raise ValidationError(f"The regex '{pattern}' does not compile: {exc}.") from exc
        if item.id:
            self.golden_ = [item if g.id == item.id else g for g in self.golden_]
        else:
            self.golden_.append(replace(item, id=max((g.id for g in self.golden_), default=0) + 1))

    def remove_golden(self, golden_id):
        self.golden_ = [g for g in self.golden_ if g.id != golden_id]

    def evaluate(self, candidate, against, persona_key, progress, should_stop):
        import time

        self.calls.append(("evaluate", candidate, against, persona_key))
        for i in range(1, 41):
            if should_stop():
                raise RuntimeError("cancelled")
            progress(i / 40, f"example {i}/40")
            time.sleep(self.delay)
        return (Comparison(metrics(candidate, 9.1, 6), metrics(against, 9.7, 5)),
                Result(True, ["perplexity 9.7 → 9.1 (−6 %)", "golden 5/6 → 6/6"]))

    delay = 0.0
