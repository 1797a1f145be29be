"""Demo data and the screenshot of the models tab (scripts/screenshots.py); never imported by the running app."""

from __future__ import annotations

from pathlib import Path

from aeon_studio.app.context import AppContext
from aeon_studio.app.models.tab import ModelsTab


def seed_demo(ctx: AppContext) -> None:
    """Realistic demo data for screenshots: an adapter bound to 'casual', a checked LoRA export and an
    Ollama Modelfile. The adapter's weights are random (small), its metrics made up; use a scratch home."""
    from aeon_studio.core.export.adapters import activate
    from aeon_studio.core.export.demo import random_peft_lora
    from aeon_studio.core.export.service import export_gguf, export_ollama
    from aeon_studio.core.models import SMOLLM2_ID, smollm2_path
    from aeon_studio.core.storage.training_tables import AdapterRow

    adapter_id = "casual-20261122-1705"
    folder = random_peft_lora(ctx.home / "adapters" / adapter_id, smollm2_path(), r=4, alpha=8, std=0.05,
                              base_model=SMOLLM2_ID)
    with ctx.db.session() as s:
        if s.get(AdapterRow, adapter_id) is None:
            s.add(AdapterRow(id=adapter_id, name="Casual · 120 rated chats", base_model_id=SMOLLM2_ID,
                             path=str(folder), run_id="run-20261122-1650", dataset_name="chats-nov",
                             metrics={"final_loss": 0.42, "first_loss": 3.18, "eval_loss": 0.61, "steps": 60,
                                      "examples": 120, "train_seconds": 88.4, "tokens_per_s": 512.0,
                                      "perplexity": 1.84}))
    activate(adapter_id, "casual", ctx.db)
    export_gguf(adapter_id, db=ctx.db)
    export_ollama(adapter_id, "aeon-casual", modelfile_only=True, db=ctx.db)


def render_models(ctx: AppContext, out_dir: Path, *, demo: bool = False) -> Path:
    """Screenshot of the tab (see scripts/screenshots.py); ``demo`` first fills a scratch home via
    :func:`seed_demo` (about 5 s: it converts and checks a real LoRA GGUF)."""
    if demo:
        seed_demo(ctx)
    tab = ModelsTab(ctx)
    tab.resize(1180, 760)
    tab.show()
    from aeon_studio.app.shared.render import save_grab

    return save_grab(tab, out_dir, "models_tab.png")


#: The Qwen2.5 0.5B Instruct GGUF repo's files as the Hub lists them (sizes rounded), for the screenshot only.
_DEMO_FILES = [("q2_k", 415), ("q3_k_m", 432), ("q4_0", 429), ("q4_k_m", 491), ("q5_k_m", 522), ("q6_k", 650),
               ("q8_0", 676), ("fp16", 1270)]


def render_add_model(ctx: AppContext, out_dir: Path, *, demo: bool = False) -> Path:
    """Screenshot of the "Add model…" dialog: the recommended list, the first one picked, its files listed (demo
    data: no network) and a download under way."""
    from aeon_studio.app.models.add_dialog import AddModelDialog
    from aeon_studio.app.shared.render import save_grab
    from aeon_studio.core.i18n import _
    from aeon_studio.core.models.gguf_info import human_size
    from aeon_studio.core.models.hub import HubFile

    dialog = AddModelDialog(ctx)
    dialog.rec_view.selectRow(0)
    files = [HubFile(filename=f"qwen2.5-0.5b-instruct-{q}.gguf", size=mb * 1000 ** 2, sha256=None,
                     quant=q.upper().replace("FP16", "F16"), usable=True) for q, mb in _DEMO_FILES]
    dialog.files_model.set_rows(files)
    dialog.files_view.selectRow(3)
    if demo:  # a download at 37 %, as the user sees it
        total = files[3].size or 0
        dialog.progress.setValue(37)
        dialog.status.setText(_("Downloading {file}: {done} of {total}").format(
            file=files[3].filename, done=human_size(int(total * 0.37)), total=human_size(total)))
        dialog.cancel_button.setEnabled(True)
        dialog.download_button.setEnabled(False)
    dialog.show()
    return save_grab(dialog, out_dir, "add_model_dialog.png")
