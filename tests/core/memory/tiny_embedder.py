"""A tiny random sentence-transformers model written to a folder in the test (no download), for switching memory's
embedding model without the real multilingual ones."""

from __future__ import annotations

import json
from pathlib import Path

WORDS = ("o a de que eu meu minha cachorro chama se moro em recife dog name my i live is the what where query "
         "passage").split()


def make_tiny_model(folder: Path, *, hidden: int = 32, prompts: dict[str, str] | None = None) -> Path:
    """A BERT with one layer of ``hidden`` units (random weights, fixed seed) → mean pooling → normalize, saved
    as a sentence-transformers folder; ``prompts`` go into its ``config_sentence_transformers.json``."""
    import torch
    from sentence_transformers import SentenceTransformer, models
    from transformers import BertConfig, BertModel, BertTokenizerFast

    folder = Path(folder)
    raw = folder.parent / f"{folder.name}-transformer"
    raw.mkdir(parents=True, exist_ok=True)
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + sorted(set(WORDS)) + [chr(c) for c in range(97, 123)]
    (raw / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    BertTokenizerFast(vocab={word: i for i, word in enumerate(vocab)}).save_pretrained(raw)
    torch.manual_seed(hidden)
    BertModel(BertConfig(vocab_size=len(vocab), hidden_size=hidden, num_hidden_layers=1, num_attention_heads=2,
                         intermediate_size=hidden * 2, max_position_embeddings=64)).save_pretrained(raw)
    model = SentenceTransformer(modules=[models.Transformer(str(raw), max_seq_length=48),
                                         models.Pooling(hidden, pooling_mode="mean"), models.Normalize()],
                                device="cpu")
    model.save(str(folder))
    if prompts is not None:
        config = folder / "config_sentence_transformers.json"
        data = json.loads(config.read_text(encoding="utf-8"))
        data["prompts"] = prompts
        config.write_text(json.dumps(data), encoding="utf-8")
    return folder


def cache_model(cache: Path, repo_id: str, folder: Path) -> Path:
    """Put ``folder`` into a Hugging Face cache layout at ``cache`` as ``repo_id`` (what a download leaves)."""
    import shutil

    revision = "0" * 40
    repo = cache / ("models--" + repo_id.replace("/", "--"))
    snapshot = repo / "snapshots" / revision
    shutil.copytree(folder, snapshot)
    (repo / "refs").mkdir(parents=True, exist_ok=True)
    (repo / "refs" / "main").write_text(revision, encoding="utf-8")
    (repo / "blobs").mkdir(exist_ok=True)
    return snapshot
