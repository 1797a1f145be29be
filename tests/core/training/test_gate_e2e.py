"""The learning loop on the real SmolLM2 (CPU): retrain → LoRA GGUF → evaluate in llama.cpp → gate → activate.

One test, three acts sharing one home (the base model is dequantized once): an identity retrain is promoted over
the base model on the golden prompts "Who are you?" / "Quem é você?"; a retrain on a corrupted copy of the same
questions (replies replaced by unrelated text) is rejected with reasons and the first adapter stays active; after
promoting the bad one by hand, rollback restores the previous version.
"""

from __future__ import annotations

import pytest


#: As few steps as learning the name needs (the quick preset caps steps; this caps them further).
STEPS = 30
CORRUPT_STEPS = 8
UNRELATED = ["Bananas are rich in potassium.", "The train to Lisbon leaves at noon.",
             "Water boils at one hundred degrees.", "A violin has four strings."]


def train(plan, db, **overrides):
    """Create the retrain run and run its worker to the end, as the Training tab does."""
    from aeon_studio.core.training import runs
    from aeon_studio.core.training.retrain import create_retrain_run

    row = create_retrain_run(plan, db, preset="quick", **overrides)
    proc = runs.start(row.id, db=db)
    proc.communicate()
    return runs.refresh(row.id, exited=True, db=db)


@pytest.mark.slow
def test_gated_retrain_promotes_rejects_and_rolls_back(record_property):
    import torch

    from aeon_studio.core.datasets import DatasetStore
    from aeon_studio.core.datasets.identity import identity_examples
    from aeon_studio.core.evaluation.golden import add_golden
    from aeon_studio.core.export.adapters import get_adapter, history, promote, rollback
    from aeon_studio.core.personas import PersonaStore
    from aeon_studio.core.storage import get_database
    from aeon_studio.core.training.gated import finish_retrain
    from aeon_studio.core.training.retrain import plan_retrain

    torch.set_num_threads(2)
    db = get_database()
    store = DatasetStore(db)
    store.build_identity("ident", "Aeon", "Ana")
    add_golden("casual", "Who are you?", must=["Aeon"], db=db)
    add_golden("casual", "Quem é você?", must=["Aeon"], db=db)
    personas = PersonaStore(db)

    # 1. the identity retrain beats the base model and becomes active
    good = train(plan_retrain("casual", db), db, max_steps=STEPS, lr=3e-3)
    assert good.status == "done" and good.adapter_id, good.error
    first = finish_retrain(good.id, db)
    record_property("identity", f"promoted={first.promoted}; {'; '.join(first.reasons)}")
    assert first.promoted is True, (first.reasons, first.candidate, first.against)
    assert first.against["model"] == "base" and first.against["golden_passed"] == 0
    assert first.candidate["golden_passed"] >= 1 and first.candidate["perplexity"] < first.against["perplexity"]
    assert personas.get("casual").adapter_id == good.adapter_id
    info = get_adapter(good.adapter_id, db)
    assert info.persona_key == "casual" and info.parent_id is None and info.dataset_hash

    # 2. the same questions with unrelated replies: rejected with reasons, the first adapter stays active
    rows = [{"messages": [*r["messages"][:-1], {"role": "assistant", "content": UNRELATED[i % len(UNRELATED)]}]}
            for i, r in enumerate(identity_examples("Aeon", "Ana", ""))]
    store.create("corrupt")
    store.add_examples("corrupt", rows)
    # (from the base, like every version: a few steps are enough to be worse; the gate must see it)
    bad = train(plan_retrain("casual", db, datasets=["corrupt"]), db, max_steps=CORRUPT_STEPS, lr=3e-3)
    assert bad.status == "done" and bad.adapter_id, bad.error
    second = finish_retrain(bad.id, db)
    record_property("corrupted", f"promoted={second.promoted}; {'; '.join(second.reasons)}")
    assert second.promoted is False and second.reasons, second
    assert second.against["model"] == good.adapter_id
    assert second.candidate["golden_passed"] < second.against["golden_passed"]
    assert personas.get("casual").adapter_id == good.adapter_id
    rejected = get_adapter(bad.adapter_id, db)
    assert rejected.status == "not-promoted" and rejected.parent_id == good.adapter_id
    versions = {v.id: v for v in history("casual", db)}
    assert versions[good.adapter_id].active and not versions[bad.adapter_id].active

    # 3. promoted by hand anyway, then rolled back: the previous version answers again
    promote(bad.adapter_id, db, by="user")
    assert personas.get("casual").adapter_id == bad.adapter_id
    rollback("casual", db)
    assert personas.get("casual").adapter_id == good.adapter_id
