"""English glosses for the English-first embedding model: FreeDict's dictd files read, Portuguese words glossed,
vectors that add the English gloss, stores made before them embedded again, and recall in Portuguese that finds facts the
model alone could not."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pytest

from aeon_studio.core.memory import glossary as gl
from aeon_studio.core.memory.embedder import Embedder
from aeon_studio.core.memory.errors import MemoryError

_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def _b64(n: int) -> str:
    out = ""
    while True:
        out = _B64[n % 64] + out
        n //= 64
        if not n:
            return out


def write_dictd(folder: Path, name: str, entries: dict[str, str]) -> None:
    """A dictd dictionary as FreeDict's are: a header entry, then ``word /ipa/`` and the senses per entry."""
    folder.mkdir(parents=True, exist_ok=True)
    data, index = b"", []
    for word, body in {"00databaseinfo": "made for a test", **entries}.items():
        text = f"{word} /x/\n{body}\n".encode()
        index.append(f"{word}\t{_b64(len(data))}\t{_b64(len(text))}")
        data += text
    (folder / f"{name}.index").write_text("\n".join(index) + "\n", encoding="utf-8")
    with gzip.open(folder / f"{name}.dict.dz", "wb") as f:
        f.write(data)


def small_dictionaries(folder: Path) -> Path:
    write_dictd(folder, gl.PT_EN, {
        "profissão": "career, occupation, trade, profession",
        "trabalho": "job, work",
        "engenheiro": "engineer",
        "carne": "flesh, meat",
        "vegetariano": "vegetarian",
        "informação": "information",
        "idioma": "1. idiom\n2. language, tongue",
    })
    write_dictd(folder, gl.EN_PT, {"laptop": "computador portátil", "work": "trabalho", "meat": "carne"})
    return folder


@pytest.fixture
def small(tmp_path, monkeypatch) -> Path:
    folder = small_dictionaries(tmp_path / "dictd")
    monkeypatch.setenv(gl.ENV, str(folder))
    return folder


def test_dictd_files_are_read_with_numbered_senses_and_without_the_header(small):
    pt_en = gl.read_dictd(small, gl.PT_EN)
    assert "00databaseinfo" not in pt_en
    assert pt_en["profissão"] == ["career", "occupation", "trade", "profession"]
    assert pt_en["idioma"] == ["idiom", "language", "tongue"]


def test_a_damaged_index_names_the_file_and_line(tmp_path):
    folder = small_dictionaries(tmp_path / "dictd")
    index = folder / f"{gl.PT_EN}.index"
    index.write_text(index.read_text(encoding="utf-8") + "broken line without tabs\n", encoding="utf-8")
    with pytest.raises(ValueError, match=rf"{gl.PT_EN}\.index:9: not a dictd index line"):
        gl.read_dictd(folder, gl.PT_EN)
    assert gl.load_glossary(folder) is None  # logged; memory then works with the model alone


def test_portuguese_words_are_glossed_and_the_rest_kept(small):
    g = gl.load_glossary(small)
    assert g.gloss("Qual é a minha profissão?") == "career occupation trade"  # function words left out
    assert g.gloss("Trabalho como engenheira de software na Embraer.") == \
        "job work engineer software Embraer"  # "engenheira" by its stem, unknown words kept
    assert g.gloss("Eu como carne?") == "flesh meat"
    assert g.gloss("informacao") == "information"  # without diacritics, as people type
    assert g.gloss("My laptop is 8443") is None  # an English headword and a number: nothing to translate
    assert g.gloss("Meu laptop é de 2022, trabalho nele") == "laptop 2022 job work nele"  # mixed: one translated


def test_dictionaries_are_found_where_setup_puts_them_or_not_at_all(small, monkeypatch, tmp_path):
    assert gl.find_dictionaries() == small
    monkeypatch.setenv(gl.ENV, "")
    assert gl.find_dictionaries() is None  # set empty: the model alone
    monkeypatch.delenv(gl.ENV)
    monkeypatch.setattr(gl, "search_dirs", lambda: [tmp_path / "nowhere"])
    assert gl.find_dictionaries() is None
    assert Embedder(None).name == "all-MiniLM-L6-v2" and Embedder(None).dim == 384


@pytest.mark.model
def test_vectors_add_the_english_gloss_and_stay_unit_vectors(small):
    e, alone = Embedder(None), Embedder(None, pivot=False)
    assert e.name == f"all-MiniLM-L6-v2+pt-en.{gl.GLOSS_VERSION}" and e.dim == alone.dim == 384
    texts = ["Sou vegetariana há seis anos.", "My passport expires in October 2027."]
    v, own = e.encode(texts), alone.encode(texts)
    assert v.shape == (2, 384) and np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    gloss = alone.encode([e.glossary.gloss(texts[0])])[0]
    both = own[0] + gloss
    assert np.allclose(v[0], both / np.linalg.norm(both), atol=1e-5)  # Portuguese: its own vector + its gloss's
    assert np.allclose(v[1], own[1], atol=1e-6)  # English: its own vector, its cosines unchanged
    # "Eu como carne?": the model alone finds the car closer ("carne" looks like "carro"); in English "meat" meets
    # "vegetarian"
    facts = ["Sou vegetariana há seis anos.", "Meu carro é um Fiat Argo prata, placa RFT-4B21."]
    for embedder, closest in ((Embedder(None, pivot=False), 1), (e, 0)):
        scores = embedder.encode(facts) @ embedder.encode_query("Eu como carne?")[0]
        assert int(np.argmax(scores)) == closest, (embedder.name, scores)


@pytest.mark.model
def test_a_damaged_dictionary_stops_embedding_with_what_to_do(tmp_path, monkeypatch):
    folder = small_dictionaries(tmp_path / "dictd")
    (folder / f"{gl.PT_EN}.dict.dz").write_bytes(b"not gzip")
    monkeypatch.setenv(gl.ENV, str(folder))
    with pytest.raises(MemoryError) as err:
        Embedder(None).encode(["Sou vegetariana."])
    assert str(folder) in err.value.message and gl.ENV in err.value.hint


@pytest.mark.model
def test_a_store_made_without_glosses_is_embedded_again_when_they_arrive(small, monkeypatch):
    from aeon_studio.core.memory.store import MemoryStore
    from aeon_studio.core.storage.memory_tables import MemoryItemRow

    monkeypatch.setenv(gl.ENV, "")
    before = MemoryStore()
    first = before.add("Sou vegetariana há seis anos.").id
    before.add("Trabalho como engenheira de software na Embraer.")
    before.close()
    assert before.status().dim == 384

    monkeypatch.setenv(gl.ENV, str(small))
    after = MemoryStore()
    assert after.status().state == "stale"  # told before anything loads
    hits = after.search("Eu como carne?", k=1, mode="dense", threshold=0.0)
    assert [h.item.id for h in hits] == [first] and after.status().state == "rebuilt"
    with after.db.session() as s:
        rows = s.exec(MemoryItemRow.__table__.select()).all()
    assert {r.embedding_model for r in rows} == {after.embedder.name}
    assert {len(r.embedding) for r in rows} == {384 * 4}
    manifest = json.loads(after._index.manifest_path.read_text(encoding="utf-8"))
    assert manifest["model"] == after.embedder.name and manifest["dim"] == 384


@pytest.mark.model
def test_real_dictionaries_let_portuguese_questions_find_facts_the_model_alone_misses(monkeypatch):
    """With FreeDict's dictionaries (scripts/setup.sh puts them in the venv) hybrid recall answers a question that
    shares no word with its fact, which all-MiniLM-L6-v2 alone ranks far down (11th of 24 facts on the bench), among
    facts that share a word with it or look alike ("carne"/"carro")."""
    monkeypatch.delenv(gl.ENV, raising=False)
    folder = gl.find_dictionaries()
    assert folder is not None, ("FreeDict's Portuguese-English dictionaries are missing: run scripts/setup.sh "
                                "(it takes Debian's dict-freedict-por-eng and dict-freedict-eng-por)")
    from aeon_studio.core.memory.store import MemoryStore

    facts = {
        "job": "Trabalho como engenheira de software na Embraer.",
        "japanese": "Estou aprendendo japonês às terças e quintas à noite.",
        "vegetarian": "Sou vegetariana há seis anos.",
        "daughter": "Minha filha Beatriz estuda no Colégio Santo Agostinho, no terceiro ano.",
        "book": "Meu livro favorito é Grande Sertão: Veredas, de Guimarães Rosa.",
        "car": "Meu carro é um Fiat Argo prata, placa RFT-4B21.",
        "mother": "Minha mãe mora em Ouro Preto e faz 70 anos em dezembro.",
    }
    store = MemoryStore()
    ids = {key: store.add(text).id for key, text in facts.items()}
    for question, key in [("Eu como carne?", "vegetarian")]:
        hits = store.search(question, k=3, mode="hybrid")
        assert hits and hits[0].item.id == ids[key], (question, [h.item.text for h in hits])
        assert hits[0].match in ("dense", "both")  # found by meaning: no word is shared
        alone = MemoryStore(embedder=Embedder(None, pivot=False))
        assert [h.item.id for h in alone.search(question, k=1, mode="hybrid")] != [ids[key]]
        store = MemoryStore()  # back to the glossing store (the other one re-embedded the rows)
    assert store.search("Qual é a capital da França?", k=3, mode="hybrid") == []


@pytest.mark.model
def test_switching_back_to_the_shipped_model_saves_it_by_its_name_not_its_glosses(small, tmp_path):
    from aeon_studio.core.memory.reembed import reembed
    from aeon_studio.core.memory.store import get_memory
    from aeon_studio.core.settings import get_settings

    from .tiny_embedder import make_tiny_model

    folder = make_tiny_model(tmp_path / "tiny", hidden=32)
    get_settings().save(embedding_model=str(folder))
    get_memory().add("Sou vegetariana há seis anos.")
    result = reembed("all-MiniLM-L6-v2")
    assert result.model == f"all-MiniLM-L6-v2+pt-en.{gl.GLOSS_VERSION}" and result.items == 1
    assert get_settings().embedding_model == ""  # the shipped model, which glosses while the dictionaries are here
    store = get_memory()
    assert store.embedder.name == result.model and store.status().dim == 384


def test_memory_status_names_the_dictionaries_or_what_to_install(small, monkeypatch, capsys):
    from aeon_studio.core.cli.main import main

    assert main(["memory", "status"]) == 0
    out = capsys.readouterr().out
    assert "all-MiniLM-L6-v2 + Portuguese-English dictionary (384 dimensions)" in out
    assert f"Portuguese-English dictionaries: {small}" in out
    monkeypatch.setenv(gl.ENV, "")
    assert main(["memory", "status"]) == 0
    out = capsys.readouterr().out
    assert "all-MiniLM-L6-v2 (384 dimensions)" in out and "dict-freedict-por-eng" in out
