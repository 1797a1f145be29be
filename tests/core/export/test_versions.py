"""Adapter versions per persona: history, promote (by hand or by the gate), rollback, delete."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from aeon_studio.core.errors import NotFoundError, ValidationError
from aeon_studio.core.export.adapters import (delete_adapter, get_adapter, history, lora_gguf, promote, rollback,
                                              use_previous)
from aeon_studio.core.export.demo import random_peft_lora
from aeon_studio.core.personas import PersonaStore
from aeon_studio.core.settings import get_settings
from aeon_studio.core.storage import get_database
from aeon_studio.core.storage.evaluation_tables import EvaluationRow
from aeon_studio.core.storage.training_tables import AdapterRow

_T0 = datetime(2026, 11, 1, tzinfo=timezone.utc)
_REPORT = {"candidate": {"model": "casual-v2", "perplexity": 9.7, "golden_passed": 6, "golden_total": 6},
           "against": {"model": "casual-v1", "perplexity": 14.2, "golden_passed": 4, "golden_total": 6}}


@pytest.fixture
def versions(smollm2_path, aeon_home):
    """casual: v1 (promoted) → v2 (promoted, evaluated) → v3 (held back by the gate) → v4 (failed its checks);
    formal-v1 belongs to another persona; loose-1 was trained for no persona."""
    db = get_database()
    with db.session() as s:
        s.add(EvaluationRow(id=7, persona_key="casual", candidate="casual-v2", against="casual-v1", report=_REPORT))
    rows = [("casual-v1", "casual", None, "ready", {"promoted": True, "reasons": [], "by": "gate"}),
            ("casual-v2", "casual", "casual-v1", "ready", {"promoted": True, "reasons": ["golden 4/6 → 6/6"],
                                                          "by": "gate"}),
            ("casual-v3", "casual", "casual-v2", "not-promoted",
             {"promoted": False, "reasons": ["perplexity 9.7 → 12.0 (+24 %)"], "by": "gate"}),
            ("casual-v4", "casual", "casual-v2", "rejected", {}),
            ("formal-v1", "formal", None, "ready", {}),
            ("loose-1", None, None, "ready", {})]
    for n, (aid, persona, parent, status, verdict) in enumerate(rows):
        # PEFT folders where training puts them (the runs folder), so deleting them is Aeon Studio's to do
        folder = random_peft_lora(get_settings().runs_dir / f"run-{n}" / "adapter", smollm2_path, r=2, seed=n)
        with db.session() as s:
            s.add(AdapterRow(id=aid, name=aid, base_model_id="smollm2-135m-instruct", path=str(folder),
                             persona_key=persona, parent_id=parent, status=status, verdict=verdict,
                             evaluation_id=7 if aid == "casual-v2" else None, created_at=_T0 + timedelta(hours=n),
                             metrics={"checks": {"ok": False, "failures": ["empty replies"]}}
                             if status == "rejected" else {}))
    promote("casual-v1", by="gate")
    promote("casual-v2", by="gate")
    return db


def _active() -> str | None:
    return PersonaStore().get("casual").adapter_id


def test_history_lists_the_persona_versions_newest_first_with_active_parent_verdict_and_report(versions):
    h = history("casual")
    assert [v.id for v in h] == ["casual-v4", "casual-v3", "casual-v2", "casual-v1"]
    assert [v.id for v in h if v.active] == ["casual-v2"]
    v2 = h[2]
    assert (v2.parent_id, v2.persona_key, v2.evaluation_id, v2.personas) == ("casual-v1", "casual", 7, ("casual",))
    assert v2.evaluation["candidate"]["perplexity"] == 9.7 and h[3].evaluation == {}
    assert h[1].verdict["promoted"] is False and h[1].status == "not-promoted"
    # an adapter of no persona joins the history once the persona has answered with it
    from aeon_studio.core.export.adapters import activate

    activate("loose-1", "casual")
    assert [v.id for v in history("casual")][0] == "loose-1" and history("formal")[0].id == "formal-v1"
    with pytest.raises(NotFoundError):
        history("nobody")


def test_promote_by_hand_keeps_the_gate_reasons_and_makes_it_usable(versions):
    assert _active() == "casual-v2"
    persona = promote("casual-v3")
    assert persona.adapter_id == "casual-v3" == _active()
    v3 = get_adapter("casual-v3")
    assert v3.status == "ready"
    assert v3.verdict == {"promoted": True, "reasons": ["perplexity 9.7 → 12.0 (+24 %)"], "by": "user"}
    assert lora_gguf("casual-v3").is_file()


def test_a_rejected_or_personaless_adapter_cannot_be_promoted_and_nothing_changes(versions):
    with pytest.raises(ValidationError, match="empty replies"):
        promote("casual-v4")
    with pytest.raises(ValidationError, match="activate loose-1"):
        promote("loose-1")
    with pytest.raises(NotFoundError):
        promote("casual-v9")
    assert _active() == "casual-v2" and get_adapter("casual-v4").verdict == {}
    with pytest.raises(ValueError):
        promote("casual-v3", by="robot")


def test_rollback_to_previous_base_or_a_given_version(versions):
    assert rollback("casual").adapter_id == "casual-v1"  # the previous version
    assert rollback("casual").adapter_id == "casual-v2"  # and back again
    assert rollback("casual", to="base").adapter_id is None
    assert rollback("casual", to="casual-v1").adapter_id == "casual-v1"
    # a version the gate held back: going to it is promoting it by hand
    assert rollback("casual", to="casual-v3").adapter_id == "casual-v3"
    assert get_adapter("casual-v3").verdict["by"] == "user" and get_adapter("casual-v3").status == "ready"
    with pytest.raises(ValidationError, match="adapters history casual"):
        rollback("casual", to="formal-v1")
    with pytest.raises(ValidationError):
        rollback("casual", to="casual-v4")  # failed its checks
    with pytest.raises(NotFoundError):
        rollback("casual", to="casual-v9")
    assert _active() == "casual-v3"
    with pytest.raises(ValidationError, match="no earlier adapter"):
        use_previous("tecnico")
    with pytest.raises(ValidationError):
        rollback("tecnico")


def test_delete_refuses_the_active_version_and_removes_files_of_the_others(versions, tmp_path, smollm2_path):
    with pytest.raises(ValidationError, match="casual") as err:
        delete_adapter("casual-v2")
    assert "rollback" in err.value.hint and get_adapter("casual-v2").path.is_dir()
    v1 = get_adapter("casual-v1")
    gguf = v1.gguf_path
    assert gguf is not None and gguf.is_file()  # converted when it was promoted
    assert delete_adapter("casual-v1").id == "casual-v1"
    assert not gguf.exists() and not v1.path.exists()
    with pytest.raises(NotFoundError):
        get_adapter("casual-v1")
    assert "casual-v1" not in [v.id for v in history("casual")]
    assert rollback("casual").adapter_id is None  # the deleted version is skipped: back to the base model
    with get_database().session() as s:
        assert s.get(EvaluationRow, 7) is not None  # reports stay
    # a folder registered from elsewhere is not Aeon Studio's to delete
    outside = random_peft_lora(tmp_path / "mine", smollm2_path, r=2, seed=9)
    with get_database().session() as s:
        s.add(AdapterRow(id="mine", name="mine", base_model_id="smollm2-135m-instruct", path=str(outside)))
    delete_adapter("mine")
    assert (outside / "adapter_config.json").is_file()
