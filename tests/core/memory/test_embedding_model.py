"""The embedding model setting: finding a model (folder, Hugging Face cache, E5 prefixes), falling back when it is
gone, and switching memory to it by embedding every item again (cancel changes nothing)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from aeon_studio.core.memory import MemoryStore, get_memory
from aeon_studio.core.memory.embedder import Embedder
from aeon_studio.core.memory.embedding_models import SHIPPED, cached_models, describe_folder, resolve_model
from aeon_studio.core.memory.errors import MemoryError
from aeon_studio.core.memory.reembed import reembed
from aeon_studio.core.settings import get_settings
from aeon_studio.core.storage.memory_tables import MemoryItemRow

from .tiny_embedder import cache_model, make_tiny_model

FACTS = ["Meu cachorro se chama Bolinha", "Eu moro em Recife", "My dog is the name"]


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """Two tiny models: ``a`` (32 dimensions) and ``b`` (48, with E5-style prompts in its config)."""
    root = tmp_path_factory.mktemp("models")
    return {"a": make_tiny_model(root / "tiny-a", hidden=32),
            "b": make_tiny_model(root / "tiny-b", hidden=48, prompts={"query": "query: ", "document": "passage: "})}


@pytest.fixture
def hf_cache(tmp_path, monkeypatch):
    from huggingface_hub import constants

    cache = tmp_path / "hf-cache"
    cache.mkdir()
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(cache))
    return cache


def _use(folder) -> None:
    get_settings().save(embedding_model=str(folder))


def test_resolve_shipped_folder_and_cached_repo(tiny, hf_cache):
    shipped = resolve_model(None)
    assert shipped.name == SHIPPED and shipped.dim == 384 and shipped.shipped and not shipped.query_prefix
    assert resolve_model(SHIPPED) == shipped
    folder = resolve_model(str(tiny["a"]))
    assert folder.name == str(tiny["a"].resolve()) and folder.dim == 32
    assert (folder.query_prefix, folder.passage_prefix) == ("", "")
    assert (resolve_model(str(tiny["b"])).query_prefix, resolve_model(str(tiny["b"])).passage_prefix) == \
        ("query: ", "passage: ")
    with pytest.raises(MemoryError, match="intfloat/multilingual-e5-small"):
        resolve_model("multilingual-e5-small")  # not in the (empty) cache: nothing is downloaded
    # Once in the cache, a bare name is found under its organisation, and E5 gets its prefixes from its name
    cache_model(hf_cache, "intfloat/multilingual-e5-small", tiny["a"])
    e5 = resolve_model("multilingual-e5-small")
    assert e5.name == "intfloat/multilingual-e5-small" and e5.dim == 32
    assert (e5.query_prefix, e5.passage_prefix) == ("query: ", "passage: ")
    assert [m.name for m in cached_models()] == ["intfloat/multilingual-e5-small"]
    with pytest.raises(MemoryError, match="does not exist"):
        resolve_model(str(tiny["a"].parent / "gone" / "model"))


def test_a_folder_that_is_no_model_says_why(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(MemoryError, match="no config.json"):
        describe_folder(tmp_path / "empty")
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "config.json").write_text(json.dumps({"model_type": "bert"}), encoding="utf-8")
    with pytest.raises(MemoryError, match="hidden_size"):
        describe_folder(tmp_path / "bad")


def test_prefixes_reach_the_model(tiny):
    emb = Embedder(str(tiny["b"]))
    plain = Embedder(describe_folder(tiny["b"]).__class__(name="plain", path=tiny["b"].resolve(), dim=48))
    assert np.allclose(emb.encode(["meu cachorro"]), plain.encode(["passage: meu cachorro"]), atol=1e-6)
    assert np.allclose(emb.encode_query("meu cachorro"), plain.encode(["query: meu cachorro"]), atol=1e-6)
    assert not np.allclose(emb.encode(["meu cachorro"]), emb.encode_query("meu cachorro"), atol=1e-4)


def test_torch_threads_are_limited_while_embedding_and_restored(tiny):
    import torch

    from aeon_studio.core.memory import embedder as module

    before = torch.get_num_threads()
    seen = []
    emb = Embedder(str(tiny["a"]))
    real = module._direct
    try:
        module._direct = lambda model, texts: (seen.append(torch.get_num_threads()), real(model, texts))[1]
        emb.encode(["eu moro em recife"])
    finally:
        module._direct = real
    assert seen == [module.THREADS] and torch.get_num_threads() == before


def test_a_missing_model_falls_back_to_the_shipped_one(tmp_path):
    get_settings().save(embedding_model=str(tmp_path / "deleted-model"))
    store = get_memory()
    assert store.embedder.model.name == SHIPPED and "does not exist" in store.embedder.fallback_reason


def _vectors(store: MemoryStore) -> dict[int, tuple[str, bytes]]:
    with store.db.session() as s:
        from sqlmodel import select

        return {i: (m, b) for i, m, b in s.exec(select(MemoryItemRow.id, MemoryItemRow.embedding_model,
                                                       MemoryItemRow.embedding)).all()}


def test_reembed_switches_every_item_and_the_index(tiny):
    _use(tiny["a"])
    old = get_memory()
    ids = [old.add(t).id for t in FACTS]
    assert old.embedder.dim == 32 and old.status().dim == 32
    steps = []
    result = reembed(str(tiny["b"]), progress=lambda f, m: steps.append((f, m)))
    assert (result.model, result.items, result.changed, result.cancelled) == (str(tiny["b"].resolve()), 3, 0, False)
    assert steps[-1][0] == 1.0 and any("3 of 3" in m for _f, m in steps)
    assert get_settings().embedding_model == str(tiny["b"].resolve())
    new = get_memory()
    assert new is not old and new.embedder.dim == 48
    assert {m for m, _b in _vectors(new).values()} == {str(tiny["b"].resolve())}
    assert all(len(b) == 48 * 4 for _m, b in _vectors(new).values())
    st = new.status()
    assert (st.model, st.dim, st.indexed, st.state) == (str(tiny["b"].resolve()), 48, 3, "rebuilt")
    hits = new.search("meu cachorro", k=3, threshold=-1, mode="dense")
    assert {h.item.id for h in hits} == set(ids)
    # The next start (a new store over the same files) trusts the new index as it is
    again = MemoryStore()
    assert again.embedder.name == str(tiny["b"].resolve())
    again.search("recife", k=1, threshold=-1)
    assert again.status().state == "ok"


def test_cancelled_reembed_changes_nothing(tiny):
    _use(tiny["a"])
    store = get_memory()
    for t in FACTS:
        store.add(t)
    before = _vectors(store)
    result = reembed(str(tiny["b"]), cancel=lambda: True)
    assert result.cancelled and result.items == 0
    assert _vectors(store) == before
    assert get_settings().embedding_model == str(tiny["a"])
    assert get_memory() is store and store.status().dim == 32


def test_an_item_edited_while_reembedding_is_embedded_again_by_the_new_store(tiny):
    _use(tiny["a"])
    store = get_memory()
    ids = [store.add(t).id for t in FACTS]
    edited = []

    def progress(fraction, _message):
        if fraction > 0 and not edited:  # after the vectors were made, before they are stored
            edited.append(store.update(ids[0], "Eu moro em Recife agora"))

    result = reembed(str(tiny["b"]), progress=progress)
    assert result.items == 2 and result.changed == 1
    new = get_memory()
    vectors = _vectors(new)
    assert vectors[ids[0]][0] == str(tiny["b"].resolve()) and len(vectors[ids[0]][1]) == 48 * 4
    expected = new.embedder.encode(["Eu moro em Recife agora"])[0]
    assert np.allclose(np.frombuffer(vectors[ids[0]][1], dtype=np.float32), expected, atol=1e-6)


def test_reembed_to_a_missing_model_changes_nothing(tiny, tmp_path):
    _use(tiny["a"])
    store = get_memory()
    store.add(FACTS[0])
    before = _vectors(store)
    with pytest.raises(MemoryError):
        reembed(str(tmp_path / "nope"))
    assert _vectors(store) == before and get_settings().embedding_model == str(tiny["a"])
