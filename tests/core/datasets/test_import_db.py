"""Importing into a real database: counts, re-imports, rejects file, passages, cancel, progress; PII scrubbing;
configurable domains; question candidates (review without a model); the CLI commands."""

from __future__ import annotations

import json
import threading

import pytest

from aeon_studio.core.cli.main import main
from aeon_studio.core.datasets import DatasetError, DatasetStore, import_files
from aeon_studio.core.datasets.clean import load_domains, luhn_ok, pii_preview, scrub_pii, valid_cnpj, valid_cpf
from aeon_studio.core.datasets.questions import Candidate, parse_questions
from aeon_studio.core.settings import get_settings

LOG = ("VOCÊ: Meu código Python dá erro de import\nAEON: Instale o pacote no virtualenv ativo.\n\n"
       "VOCÊ: Qual é o prazo do contrato?\nAEON: Doze meses, pela cláusula 3.\n\n"
       "VOCÊ: sem resposta\n\n"
       "VOCÊ: Meu e-mail é ana.souza@example.com e o CPF 529.982.247-25\nAEON: Anotado.\n")


def test_import_counts_rejects_and_reimport(tmp_path):
    src = tmp_path / "conversation.log"
    src.write_text(LOG, encoding="utf-8")
    seen: list[tuple[int, int]] = []
    res = import_files("suporte", [src], progress=lambda d, t: seen.append((d, t)))
    assert (res.read, res.imported, res.rejected, res.duplicates) == (4, 3, 1, 0)
    assert res.rejects_path is not None and res.rejects_path.parent == get_settings().datasets_dir / "rejects"
    rej = [json.loads(line) for line in res.rejects_path.read_text(encoding="utf-8").splitlines()]
    assert rej == [{"ref": "conversation.log:7", "reason": "the last turn is not an assistant reply",
                    "messages": [{"role": "user", "content": "sem resposta"}]}]
    assert res.domains == {"technical": 1, "legal": 1, "general": 1}
    assert any("fewer than 50" in w for w in res.warnings)
    assert seen and seen[-1][0] == seen[-1][1] == src.stat().st_size
    store = DatasetStore()
    rows = store.example_rows("suporte")
    assert [r.source_ref for r in rows] == ["conversation.log:1", "conversation.log:4", "conversation.log:9"]
    assert {r.source for r in rows} == {"import"} and rows[0].domain == "technical" and rows[0].tokens > 0
    again = import_files("suporte", [src])
    assert (again.imported, again.duplicates + again.near_duplicates) == (0, 3)
    assert store.stats("suporte")["examples"] == 3


def test_import_pii_documents_and_csv_together(tmp_path):
    log = tmp_path / "c.log"
    log.write_text(LOG, encoding="utf-8")
    doc = tmp_path / "manual.md"
    doc.write_text("# Garantia\n\nA garantia cobre defeitos de fabricação por 12 meses.\n", encoding="utf-8")
    csv_file = tmp_path / "faq.csv"
    csv_file.write_text("pergunta,resposta\nLigo para onde?,Ligue (11) 91234-5678.\n", encoding="utf-8")
    res = import_files("misto", [log, doc, csv_file], pii=True)
    assert res.files == 3 and res.imported == 4 and res.passages == 1 and res.pii_replacements == 3
    texts = " ".join(m["content"] for e in DatasetStore().examples("misto", split="all") for m in e["messages"])
    assert "[EMAIL]" in texts and "[CPF]" in texts and "[PHONE]" in texts and "example.com" not in texts
    passages = DatasetStore().passages("misto")
    assert [(p.ref, p.text[:8]) for p in passages] == [("manual.md:1", "# Garant")]


def test_import_is_all_or_nothing(tmp_path):
    good = tmp_path / "a.log"
    good.write_text(LOG, encoding="utf-8")
    bad = tmp_path / "b.csv"
    bad.write_text("x,y\n1,2\n", encoding="utf-8")
    with pytest.raises(DatasetError, match="no question/answer columns"):
        import_files("tudo", [good, bad])
    assert not DatasetStore().exists("tudo")
    cancel = threading.Event()
    cancel.set()
    big = tmp_path / "big.log"
    big.write_text("".join(f"VOCÊ: pergunta {i}\nAEON: resposta {i}\n\n" for i in range(2000)), encoding="utf-8")
    res = import_files("cancelado", [big], cancel=cancel)
    assert res.cancelled and res.imported == 0
    assert not DatasetStore().exists("cancelado")  # a cancelled import leaves no (empty) dataset behind
    res = import_files("cancelado", [big])
    assert res.imported == 2000 and DatasetStore().stats("cancelado")["eval"] > 0


def test_pii_scrub_and_preview():
    text = ("Escreva para joao.silva+vendas@empresa.com.br ou ligue +55 (21) 99876-5432 / 11 3456-7890. "
            "CPF 529.982.247-25, CNPJ 11.222.333/0001-81, cartão 4111 1111 1111 1111; pedido 12345678901.")
    out, n = scrub_pii(text)
    assert n == 6, out
    for token in ("[EMAIL]", "[PHONE]", "[CPF]", "[CNPJ]", "[CARD]"):
        assert token in out
    assert "12345678901" in out  # 11 digits that are not a valid CPF stay
    assert scrub_pii("cartão 4111 1111 1111 1112")[1] == 0  # fails the Luhn check
    assert valid_cpf("529.982.247-25") and not valid_cpf("111.111.111-11")
    assert valid_cnpj("11.222.333/0001-81") and luhn_ok("4111111111111111")
    pv = pii_preview([{"messages": [{"role": "user", "content": "meu email: a@b.co"},
                                    {"role": "assistant", "content": "ok"}]}])
    assert pv == [("meu email: a@b.co", "meu email: [EMAIL]")]


def test_domains_are_configurable(tmp_path):
    assert "technical" in load_domains()
    custom = tmp_path / "domains.json"
    custom.write_text(json.dumps({"culinária": ["receita", "forno", "bolo"]}), encoding="utf-8")
    src = tmp_path / "r.log"
    src.write_text("VOCÊ: Qual a temperatura do forno para bolo?\nAEON: 180 graus.\n", encoding="utf-8")
    res = import_files("receitas", [src], domains_file=custom)
    assert res.domains == {"culinária": 1}
    get_settings().save(dataset_domains={"games": ["jogo", "console"]})
    assert load_domains() == {"games": ("jogo", "console")}
    bad = tmp_path / "bad.json"
    bad.write_text('{"x": "not a list"}', encoding="utf-8")
    with pytest.raises(DatasetError, match="list of words"):
        load_domains(bad)


def test_candidates_review_without_model():
    store = DatasetStore()
    ids = store.add_candidates("docs", [Candidate("O que a garantia cobre?", "Defeitos de fabricação.", "m.md:3"),
                                        Candidate("Quanto tempo?", "Doze meses.", "m.md:3")])
    assert [c.status for c in store.list_candidates("docs")] == ["pending", "pending"]
    ex_id = store.accept_candidate(ids[0], answer="Defeitos de fabricação por 12 meses.")
    store.reject_candidate(ids[1])
    assert store.list_candidates("docs") == []
    assert {c.status for c in store.list_candidates("docs", status=None)} == {"accepted", "rejected"}
    rows = store.example_rows("docs")
    assert rows[0].id == ex_id and rows[0].edited and rows[0].source == "questions"
    assert rows[0].messages[1]["content"] == "Defeitos de fabricação por 12 meses."
    with pytest.raises(DatasetError, match="already accepted"):
        store.accept_candidate(ids[0])
    with pytest.raises(DatasetError, match="No candidate"):
        store.reject_candidate(999)
    assert parse_questions("1. O que é X?\n2) Para que serve?\nTexto solto\n- O que é X?", 3) == [
        "O que é X?", "Para que serve?", "Texto solto"]


def test_cli_convert_import_preview_and_errors(tmp_path, capsys):
    src = tmp_path / "conversation.log"
    src.write_text(LOG, encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert main(["dataset", "convert", str(src), "--out", str(out), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["imported"] == 3 and summary["rejected"] == 1
    assert summary["rejects_path"] == str(tmp_path / "out.rejects.jsonl")
    assert len(out.read_text(encoding="utf-8").splitlines()) == 3
    assert main(["dataset", "import", str(src), "--name", "cli", "--preview", "--pii", "-n", "2"]) == 0
    text = capsys.readouterr().out
    assert "format log, encoding utf-8" in text and "--- conversation.log:1" in text
    assert not DatasetStore().exists("cli")
    assert main(["dataset", "import", str(src), "--name", "cli"]) == 0
    text = capsys.readouterr().out
    assert "3 kept" in text and "conversation.log:7: the last turn is not an assistant reply" in text
    assert main(["dataset", "candidates", "cli"]) == 0
    assert "No candidates" in capsys.readouterr().out
    assert main(["dataset", "convert", str(tmp_path / "nope.log"), "--out", str(out)]) == 2
    assert "no such file" in capsys.readouterr().err
    assert main(["dataset", "convert", str(src), "--out", str(out), "--format", "xml"]) == 2
    err = capsys.readouterr().err
    assert "Unknown format 'xml'" in err and "log, csv, json, jsonl, document" in err
    assert main(["dataset", "import", str(src), "--name", "x", "--speakers", "Ana"]) == 2
    assert "Bad speaker mapping" in capsys.readouterr().err
    for cmd in ("convert", "import", "questions", "candidates", "accept", "reject"):
        with pytest.raises(SystemExit) as e:
            main(["dataset", cmd, "--help"])
        assert e.value.code == 0
    assert "--speakers" in capsys.readouterr().out
