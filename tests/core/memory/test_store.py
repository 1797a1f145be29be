"""MemoryStore on the real embedding model (all-MiniLM-L6-v2): recall, forget, index rebuilds, documents."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from aeon_studio.core.memory import MemoryNotFoundError, MemoryStore, get_memory
from aeon_studio.core.memory.errors import MemoryInputError
from aeon_studio.core.memory.facts import extract_fact, extract_statements

pytestmark = pytest.mark.model

FACTS = ["My dog is called Bolinha", "I live in Recife, Brazil", "The backup server runs on port 8080",
         "Eu sou vegetariano e não como carne", "My sister's birthday is on March 3rd"]


def _store() -> MemoryStore:
    return MemoryStore()  # a new instance reads the index from disk, like a new start of the app


def _fill(store: MemoryStore) -> dict[str, int]:
    return {t: store.add(t).id for t in FACTS}


def test_add_search_forget_never_comes_back():
    store = _store()
    ids = _fill(store)
    hits = store.search("What is my dog's name?", k=3)
    assert hits and hits[0].item.id == ids["My dog is called Bolinha"] and hits[0].score > 0.5
    assert all(h.score >= store.settings.memory_threshold for h in hits)
    assert store.search("o que eu como?", k=1)[0].item.text.startswith("Eu sou vegetariano")

    store.forget(ids["My dog is called Bolinha"])
    assert all(h.item.id != ids["My dog is called Bolinha"] for h in store.search("dog name Bolinha", k=10,
                                                                                   threshold=-1))
    with pytest.raises(MemoryNotFoundError):
        store.get(ids["My dog is called Bolinha"])
    with pytest.raises(MemoryNotFoundError):
        store.forget(ids["My dog is called Bolinha"])
    again = _store()  # after a restart too
    assert all(h.item.id != ids["My dog is called Bolinha"] for h in again.search("Bolinha", k=10, threshold=-1))
    assert again.status().indexed == len(FACTS) - 1 and again.status().state == "ok"


def test_list_count_update_and_forget_about():
    store = _store()
    ids = _fill(store)
    assert store.count() == len(FACTS) and store.count("recife") == 1
    assert [i.id for i in store.list(limit=2)] == sorted(ids.values(), reverse=True)[:2]  # newest first
    item = store.update(ids["I live in Recife, Brazil"], "I live in Lisbon, Portugal")
    assert item.text == "I live in Lisbon, Portugal"
    assert store.search("which city do I live in?", k=1)[0].item.text == "I live in Lisbon, Portugal"
    assert store.count("recife") == 0
    with pytest.raises(MemoryInputError):
        store.add("   ")
    listed = store.forget_about("port 8080", dry_run=True)
    assert [i.id for i in listed] == [ids["The backup server runs on port 8080"]]
    assert store.count() == len(FACTS)
    store.forget_about("port 8080")
    assert store.count() == len(FACTS) - 1


def test_deleted_index_is_rebuilt_with_the_same_results():
    store = _store()
    _fill(store)
    before = [(h.item.id, h.score) for h in store.search("where do I live?", k=3, threshold=-1)]
    store.index_path.unlink()
    fresh = _store()
    assert fresh.status().state == "missing"
    after = [(h.item.id, h.score) for h in fresh.search("where do I live?", k=3, threshold=-1)]
    assert after == before
    status = fresh.status()
    assert status.state == "rebuilt" and status.indexed == status.items == len(FACTS)
    assert fresh.index_path.is_file()
    assert _store().search("where do I live?", k=3, threshold=-1)[0].item.id == before[0][0]


def test_corrupt_or_mismatched_index_is_rebuilt_never_a_crash():
    import faiss

    store = _store()
    ids = _fill(store)
    want = store.search("birthday", k=1)[0].item.id
    assert want == ids["My sister's birthday is on March 3rd"]

    store.index_path.write_bytes(b"not a faiss index at all")
    s2 = _store()
    assert s2.search("birthday", k=1)[0].item.id == want and s2.status().state == "rebuilt"

    # an index of another dimension, with a manifest that agrees with it
    other = faiss.IndexIDMap(faiss.IndexFlatIP(128))
    faiss.write_index(other, str(store.index_path))
    manifest = json.loads(store._index.manifest_path.read_text())
    store._index.manifest_path.write_text(json.dumps({**manifest, "dim": 128}))
    s3 = _store()
    assert s3.search("birthday", k=1)[0].item.id == want and s3.status().state == "rebuilt"

    # another embedding model: the rows' vectors are made again
    from sqlalchemy import update

    from aeon_studio.core.storage.memory_tables import MemoryItemRow
    with s3.db.session() as s:
        s.exec(update(MemoryItemRow).values(embedding_model="some-other-model", embedding=b"\0" * 16))
    manifest = json.loads(store._index.manifest_path.read_text())
    store._index.manifest_path.write_text(json.dumps({**manifest, "model": "some-other-model"}))
    s4 = _store()
    assert s4.search("birthday", k=1)[0].item.id == want and s4.status().state == "rebuilt"
    with s4.db.session() as s:
        models = set(s.exec(MemoryItemRow.__table__.select().with_only_columns(MemoryItemRow.embedding_model)).scalars())
    assert models == {s4.embedder.name}  # the shipped model's name (with "+pt-en.N" when it glosses)

    # an item the index does not know (e.g. written by a crashed process) → rebuilt, found
    row_id = s4.add("The car is parked on level 3").id
    s4._index.index = None
    s4._index.reset([i for i in ids.values()], s4.embedder.encode(list(ids)))
    s4._index.save()
    s5 = _store()
    assert s5.search("where is the car parked?", k=1)[0].item.id == row_id


def test_document_import_skip_and_reimport_replaces_passages(tmp_path):
    store = _store()
    doc = tmp_path / "notes.md"
    body = "\n\n".join(f"Paragraph {i}: the project codename is Falcon and meeting {i} is on Tuesday." for i in range(40))
    doc.write_text("# Notes\n\n" + body, encoding="utf-8")
    first = store.import_documents([doc])
    assert first.files == 1 and first.passages > 3 and not first.errors
    passages = store.list(kind="passage", limit=1000)
    assert len(passages) == first.passages and passages[-1].source == "notes.md, passage 1"
    assert passages[0].source_ref == str(doc.resolve())
    assert store.search("what is the project codename?", k=1)[0].item.kind == "passage"

    again = store.import_documents([doc])
    assert again.skipped == 1 and again.files == 0 and store.count(kind="passage") == first.passages

    doc.write_text("# Notes\n\nThe project codename changed to Heron. The launch is in October.", encoding="utf-8")
    progress = []
    changed = store.import_documents([doc, tmp_path / "missing.txt", tmp_path / "x.docx"],
                                     progress=lambda f, m: progress.append(f))
    assert changed.replaced == 1 and changed.removed == first.passages and changed.passages == 1
    assert len(changed.errors) == 2 and "not found" in changed.errors[0] and ".docx" in changed.errors[1]
    assert store.count(kind="passage") == 1 and store.count("Falcon") == 0
    assert "Heron" in store.search("project codename", k=1)[0].item.text
    assert progress[-1] == 1.0
    assert _store().status().indexed == 1  # the index on disk agrees


def _minimal_pdf(text: str) -> bytes:
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> >> >>",
            b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for n, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


def test_pdf_import_and_unreadable_pdf(tmp_path):
    store = _store()
    pdf = tmp_path / "manual.pdf"
    pdf.write_bytes(_minimal_pdf("The espresso machine needs descaling every two months."))
    bad = tmp_path / "broken.pdf"
    bad.write_bytes(b"%PDF-1.4 garbage")
    result = store.import_documents([pdf, bad])
    assert result.files == 1 and result.passages == 1
    assert len(result.errors) == 1 and "broken.pdf" in result.errors[0]
    hit = store.search("how often should the coffee machine be descaled?", k=1)[0]
    assert "descaling" in hit.item.text and hit.item.source == "manual.pdf, passage 1"


def test_import_can_be_cancelled(tmp_path):
    store = _store()
    doc = tmp_path / "a.txt"
    doc.write_text("word " * 5000)
    result = store.import_documents([doc], cancel=lambda: True)
    assert result.cancelled and store.count() == 0


@pytest.mark.parametrize("text, fact", [
    ("lembre que meu cachorro se chama Bolinha", "Meu cachorro se chama Bolinha"),
    ("Lembre-se de que eu moro em Recife.", "Eu moro em Recife."),
    ("remember that my dog is called Rex", "My dog is called Rex"),
    ("Note that the server runs on port 8080", "The server runs on port 8080"),
    ("Please remember: my birthday is May 3", "My birthday is May 3"),
    ("remember when we talked about it?", None),
    ("What is my name?", None),
    ("Remember me", None),
])
def test_extract_fact(text, fact):
    assert extract_fact(text) == fact


@pytest.mark.parametrize("text, statements", [
    ("Oi! Meu nome é Ana e moro em Recife. Pode me ajudar com Python?", ["Meu nome é Ana e moro em Recife."]),
    ("I'm allergic to peanuts. I live in Porto; what should I cook tonight?", ["I'm allergic to peanuts.", "I live in Porto."]),
    ("My daughter is turning seven in March", ["My daughter is turning seven in March."]),
    ("Sou alérgica a camarão", ["Sou alérgica a camarão."]),
    ("What is my name?", []),
    ("I think so", []),
    ("How do I install Python on Linux?", []),
    ("Eu gosto", []),
])
def test_extract_statements(text, statements):
    assert extract_statements(text) == statements


def test_reply_hook_keeps_what_the_user_said_about_themselves():
    from types import SimpleNamespace

    from aeon_studio.core.memory.hook import flush_pending, memory_reply_hook

    reply = SimpleNamespace(version_of=None, error=None, meta={}, conversation_id=7,
                            persona=SimpleNamespace(key="casual", memory_enabled=True),
                            stream=SimpleNamespace(finish_reason="stop"),
                            user_message=SimpleNamespace(id=40, content="Meu nome é Ana. Qual é a capital da Itália?"),
                            message=SimpleNamespace(id=41, content="A capital da Itália é Roma."))
    memory_reply_hook(reply)
    memory_reply_hook(reply)  # the same reply twice (e.g. a retry) stores the fact once
    assert flush_pending()
    facts = get_memory().list(kind="fact")
    assert [(f.text, f.source_ref) for f in facts] == [("Meu nome é Ana.", "conversation:7/message:40")]
    assert {e.source_ref for e in get_memory().list(kind="exchange")} == {"conversation:7/message:41"}


def test_memory_modules_import_without_ml_libraries():
    code = ("import sys, json, aeon_studio.core.memory, aeon_studio.core.memory.hook, aeon_studio.core.cli.memory; "
            "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    loaded = set(json.loads(out.stdout.strip().splitlines()[-1]))
    assert not loaded & {"torch", "faiss", "sentence_transformers", "transformers", "PySide6"}
