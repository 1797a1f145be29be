"""Importers on realistic files: logs (labels, timestamps, multi-line turns, encodings, mojibake), CSV, JSON/JSONL
(every shape), documents (TXT/MD/PDF), detection, preview, conversion with rejects, and fuzzing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aeon_studio.core.datasets import DatasetError
from aeon_studio.core.datasets.documents import read_document, split_passages
from aeon_studio.core.datasets.importers import (FORMATS, convert_file, detect_format, parse_speakers,
                                                 preview_file)


def _convert(tmp_path: Path, name: str, content: str | bytes, **kw):
    src = tmp_path / name
    src.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    out = tmp_path / (src.stem + ".out.jsonl")
    res = convert_file(src, out, **kw)
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    rejects = []
    if res.rejects_path:
        rejects = [json.loads(line) for line in res.rejects_path.read_text(encoding="utf-8").splitlines()]
    return res, [r["messages"] for r in rows if "messages" in r], rejects


def _pairs(msgs):
    return [(m["role"], m["content"]) for m in msgs]


# -- speaker-labelled logs ------------------------------------------------------------------------------
LOG = """VOCÊ: Olá! Tudo bem?
AEON: Tudo ótimo. Como posso ajudar?
VOCÊ: Como instalo o Python
no Ubuntu 24.04?
VOCÊ: (sem usar snap)
AEON: Use o apt:
    sudo apt install python3

Depois confira com python3 --version.

VOCÊ: Obrigado!
AEON: Por nada.
"""


def test_log_multiline_merge_and_conversations(tmp_path):
    res, convs, rejects = _convert(tmp_path, "conversation.log", LOG)
    assert res.read == 2 and res.imported == 2 and res.rejected == 0 and not rejects
    assert _pairs(convs[0]) == [
        ("user", "Olá! Tudo bem?"),
        ("assistant", "Tudo ótimo. Como posso ajudar?"),
        ("user", "Como instalo o Python\nno Ubuntu 24.04?\n(sem usar snap)"),
        ("assistant", "Use o apt:\n    sudo apt install python3\n\nDepois confira com python3 --version."),
    ]
    assert _pairs(convs[1]) == [("user", "Obrigado!"), ("assistant", "Por nada.")]


def test_log_crlf_bom_cp1252_and_mojibake(tmp_path):
    text = "VOCÊ: Qual é a função disso?\nAEON: É uma função de ordenação.\n"
    variants = {
        "crlf.log": text.replace("\n", "\r\n").encode("utf-8"),
        "bom.log": b"\xef\xbb\xbf" + text.encode("utf-8"),
        "cp1252.log": text.replace("\n", "\r\n").encode("cp1252"),
        "mojibake.log": text.encode("utf-8").decode("cp1252").encode("utf-8"),  # VOCÃŠ:, Ã©…
    }
    for name, data in variants.items():
        res, convs, _rej = _convert(tmp_path, name, data)
        assert _pairs(convs[0]) == [("user", "Qual é a função disso?"), ("assistant", "É uma função de ordenação.")], name
    assert "VOCÃŠ" in variants["mojibake.log"].decode("utf-8")
    pv = preview_file(tmp_path / "mojibake.log")
    assert pv.repaired_mojibake and pv.format == "log"
    assert preview_file(tmp_path / "cp1252.log").encoding == "cp1252"
    assert preview_file(tmp_path / "bom.log").encoding == "utf-8-sig"


def test_log_timestamps_names_and_time_gap(tmp_path):
    log = ("[12/03/2025 14:02] Ana: Oi, preciso de ajuda com a minha senha\n"
           "[12/03/2025 14:03] Aeon: Claro! O que aconteceu?\n"
           "[12/03/2025 14:05] Ana: Esqueci\n"
           "[12/03/2025 14:05] Aeon: Use o link 'Esqueci a senha'.\n"
           "[12/03/2025 18:40] Ana: Voltei: funcionou!\n"
           "[12/03/2025 18:41] Aeon: Que bom!\n")
    res, convs, rejects = _convert(tmp_path, "whatsapp.txt", log, speakers="Ana=user, Aeon=assistant")
    assert res.imported == 2 and not rejects  # the 4.5 h pause starts a new conversation
    assert convs[1][0]["content"] == "Voltei: funcionou!"
    res, convs, _r = _convert(tmp_path, "whatsapp2.txt", log, speakers="Ana=user,Aeon=assistant", gap_minutes=0)
    assert res.imported == 1 and len(convs[0]) == 6
    # WhatsApp export style
    wa = "12/03/2025 14:02 - Ana: Bom dia\n12/03/2025 14:02 - Bot: Bom dia! Em que posso ajudar?\n"
    _res, convs, _r = _convert(tmp_path, "wa.txt", wa, speakers="Ana:=user,Bot:=assistant")
    assert _pairs(convs[0]) == [("user", "Bom dia"), ("assistant", "Bom dia! Em que posso ajudar?")]


def test_log_problems_are_reported_with_lines(tmp_path):
    log = ("Exportado em 12/03/2025\n"          # 1: text before any label
           "VOCÊ: Oi\n"                          # 2
           "AEON: Olá!\n"                        # 3
           "\n"                                  # 4
           "AEON: Bem-vindo de volta.\n"         # 5: starts with the assistant
           "\n"                                  # 6
           "VOCÊ: Alguém aí?\n"                  # 7: never answered
           "\n"                                  # 8
           "------------\n"                      # 9: a separator
           "VOCÊ: E agora?\n"                    # 10
           "AEON:\n"                             # 11: empty reply
           "\n"
           "VOCÊ: Última\n"                      # 13
           "AEON: Resposta final.\n")
    res, convs, rejects = _convert(tmp_path, "bad.log", log)
    assert res.read == 6 and res.imported == 2 and res.rejected == 4
    by_ref = {r["ref"]: r["reason"] for r in rejects}
    assert set(by_ref) == {"bad.log:1", "bad.log:5", "bad.log:7", "bad.log:10"}
    assert "speaker label" in by_ref["bad.log:1"]
    assert "assistant turn where a user turn" in by_ref["bad.log:5"]
    assert "last turn" in by_ref["bad.log:7"]
    assert "empty" in by_ref["bad.log:10"]
    assert [p.split(": ", 1)[0] for p in res.problems] == ["bad.log:1", "bad.log:5", "bad.log:7", "bad.log:10"]
    assert res.rejects_path == tmp_path / "bad.out.rejects.jsonl"


GARBLED = ("VOCÊ: Como instalo o Python?\n"                      # 1
           "AEON: Use o apt:\n"                                  # 2
           "    sudo apt install python3\n"                      # 3: code, a continuation
           "ERROR: permission denied\n"                          # 4: pasted output, a continuation
           "Nota: rode com sudo.\n"                              # 5: a continuation
           "\x00\x01\x02\ufffd\ufffd\x1b\x7f junk\n"             # 6: binary junk
           "Depois confira a versão.\n"                          # 7: a continuation
           "AEOM: isso não é de ninguém\n"                       # 8: a misspelt label
           "\n"
           "VOCÊ: Obrigado!\n"                                   # 10
           "AEON resposta sem dois pontos\n"                     # 11: a label without its colon
           "AEON: De nada.\n"                                    # 12
           "Aeon é o nome do assistente.\n"                      # 13: prose, a continuation
           "V0CÊ: e agora?\n"                                    # 14: a misspelt label (zero for O)
           "\n"
           "VOCÊ: E isto?\n"                                     # 16
           "AEON: \x07\x08\x01\x02\x03\n")                       # 17: an unreadable reply


def test_log_lines_that_are_not_turns_are_reported_not_appended(tmp_path):
    """A garbled line used to be glued to the previous answer while the summary said nothing was rejected."""
    res, convs, rejects = _convert(tmp_path, "garbled.log", GARBLED)
    assert _pairs(convs[0]) == [
        ("user", "Como instalo o Python?"),
        ("assistant", "Use o apt:\n    sudo apt install python3\nERROR: permission denied\nNota: rode com sudo.\n"
                      "Depois confira a versão."),
    ]
    assert _pairs(convs[1]) == [("user", "Obrigado!"), ("assistant", "De nada.\nAeon é o nome do assistente.")]
    assert len(convs) == 2 and not any("\x00" in m["content"] for c in convs for m in c)
    by_ref = {r["ref"]: r for r in rejects}
    assert list(by_ref) == ["garbled.log:6", "garbled.log:8", "garbled.log:11", "garbled.log:14",
                            "garbled.log:16", "garbled.log:17"]
    assert "unreadable" in by_ref["garbled.log:6"]["reason"] and "junk" in by_ref["garbled.log:6"]["reason"]
    assert by_ref["garbled.log:6"]["text"] == "\x00\x01\x02\ufffd\ufffd\x1b\x7f junk"
    assert "'AEOM:'" in by_ref["garbled.log:8"]["reason"] and "'AEON:'" in by_ref["garbled.log:8"]["reason"]
    assert by_ref["garbled.log:8"]["text"] == "AEOM: isso não é de ninguém"
    assert "lacks its ':'" in by_ref["garbled.log:11"]["reason"]
    assert "'VOCÊ:'" in by_ref["garbled.log:14"]["reason"] and "e agora?" in by_ref["garbled.log:14"]["reason"]
    assert "empty" in by_ref["garbled.log:16"]["reason"]  # its reply was the unreadable line 17
    assert "unreadable" in by_ref["garbled.log:17"]["reason"]
    # the summary says so, with file:line, the reason and the line's text (control characters escaped)
    assert res.rejected == 6 and res.read == res.imported + res.rejected
    assert res.problems[0].startswith("garbled.log:6: unreadable line") and "'\\x00\\x01\\x02" in res.problems[0]
    assert res.problems[1].startswith("garbled.log:8: ") and res.problems[1].endswith(
        "'AEOM: isso não é de ninguém'")
    assert not any("AEOM" in w for w in res.warnings)  # reported line by line, not as an unmapped speaker
    # the preview shows the same lines, after their conversation, without counting them as conversations
    pv = preview_file(tmp_path / "garbled.log", limit=1)
    assert [r.ref for r in pv.conversations] == ["garbled.log:1"]
    assert [(r.ref, r.extra["text"]) for r in pv.line_problems] == [
        ("garbled.log:6", "\x00\x01\x02\ufffd\ufffd\x1b\x7f junk"), ("garbled.log:8", "AEOM: isso não é de ninguém")]


def test_log_garbled_lines_through_the_cli(tmp_path, capsys):
    from aeon_studio.core.cli.main import main

    src = tmp_path / "garbled.log"
    src.write_text(GARBLED, encoding="utf-8")
    assert main(["dataset", "import", str(src), "--name", "g", "--preview", "-n", "3"]) == 0
    text = capsys.readouterr().out
    assert "--- garbled.log:6  [rejected: unreadable line" in text and "'\\x00\\x01\\x02" in text
    assert "--- garbled.log:11  [rejected: the speaker label 'AEON' lacks its ':'" in text
    assert "\x00" not in text and "\x1b" not in text  # nothing raw reaches the terminal
    assert main(["dataset", "import", str(src), "--name", "g"]) == 0
    text = capsys.readouterr().out
    assert "2 kept" in text and "6 rejected" in text
    assert "  garbled.log:8: 'AEOM:' is not a speaker label" in text and "isso não é de ninguém" in text
    assert main(["dataset", "convert", str(src), "--out", str(tmp_path / "g.jsonl")]) == 0
    assert "  garbled.log:14: 'V0CÊ:'" in capsys.readouterr().out


@pytest.mark.gui
def test_import_dialog_preview_shows_garbled_lines(qtbot, tmp_path):
    from aeon_studio.app.context import AppContext
    from aeon_studio.app.datasets.import_dialog import ImportDialog

    src = tmp_path / "garbled.log"
    src.write_text(GARBLED, encoding="utf-8")
    dlg = ImportDialog(AppContext(), [src])
    qtbot.addWidget(dlg)
    rows = [[dlg.records.topLevelItem(i).text(c) for c in range(4)] for i in range(dlg.records.topLevelItemCount())]
    assert [r[0] for r in rows] == ["garbled.log:1", "garbled.log:6", "garbled.log:8", "garbled.log:10",
                                    "garbled.log:11", "garbled.log:14", "garbled.log:16", "garbled.log:17"]
    junk = rows[1]
    assert junk[2].startswith("'\\x00\\x01\\x02") and junk[3].startswith("unreadable line")
    assert rows[2][2] == "'AEOM: isso não é de ninguém'" and "did you mean 'AEON:'?" in rows[2][3]
    assert "De nada." in rows[3][3] and "AEON resposta" not in rows[3][3]
    assert dlg.status.text() == ("2 of the first 3 conversations are valid. 5 lines are not part of any turn and "
                                 "will be left out (in red).")
    dlg.close()


def test_log_continuations_that_look_like_labels_stay(tmp_path):
    """Ordinary multi-line text is not mistaken for garbled lines: headings, URLs, times, tabs, ANSI colours,
    emoji, unknown names that resemble no speaker."""
    log = ("VOCÊ: Preciso de um exemplo\n"
           "Passo 1: abrir o terminal\n"
           "AEON: Veja:\n"
           "https://docs.python.org/3/\n"
           "Horário: 14:02\n"
           "\tindentado com tab\n"
           "\x1b[31mERRO\x1b[0m: falhou\n"
           "🎉🎉 pronto!\n"
           "Maria: ela também perguntou\n"
           "Obs.: e a Ana: também\n")
    res, convs, rejects = _convert(tmp_path, "ok.log", log)
    assert res.rejected == 0 and not rejects and res.imported == 1
    assert convs[0][1]["content"].endswith("🎉🎉 pronto!\nMaria: ela também perguntou\nObs.: e a Ana: também")


def test_log_unmapped_labels_warn_and_custom_mapping(tmp_path):
    log = "User: What is 2+2?\nAssistant: 4.\nUser: And 3+3?\nAssistant: 6.\n"
    res, convs, _r = _convert(tmp_path, "en.log", log)  # role names are recognised without a mapping
    assert res.imported == 1 and len(convs[0]) == 4
    chat = "Ana: oi\nBia: olá\nAna: tudo bem?\nBia: tudo\nAna: ok\nBia: tchau\n"
    res, _c, _r = _convert(tmp_path, "names.log", chat)
    assert any("Ana" in w and "--speakers" in w for w in res.warnings)
    res, convs, _r = _convert(tmp_path, "names2.log", chat, speakers="Ana=user,Bia=assistant")
    assert res.imported == 1 and len(convs[0]) == 6


def test_parse_speakers():
    assert parse_speakers(None) == {"VOCÊ": "user", "AEON": "assistant"}
    assert parse_speakers("User:=user,Assistant:=assistant") == {"User": "user", "Assistant": "assistant"}
    assert parse_speakers("Ana=human, Aeon=bot, Sys=system") == {"Ana": "user", "Aeon": "assistant",
                                                                  "Sys": "system"}
    for bad in ("Ana", "Ana=chef,Aeon=assistant", "Ana=user"):
        with pytest.raises(DatasetError):
            parse_speakers(bad)


# -- CSV ----------------------------------------------------------------------------------------------
def test_csv_synonyms_delimiters_and_bad_rows(tmp_path):
    data = ("\ufeffPergunta;Resposta\r\n"
            "Qual a capital do Brasil?;Brasília.\r\n"
            "\"Explique em duas linhas\r\no que é RAM\";\"Memória de acesso aleatório;\r\nvolátil.\"\r\n"
            "Sem resposta;\r\n"
            "Outra?;Sim.\r\n")
    res, convs, rejects = _convert(tmp_path, "faq.csv", data.encode("utf-8"))
    assert res.imported == 3 and res.rejected == 1
    assert _pairs(convs[1]) == [("user", "Explique em duas linhas\no que é RAM"),
                                ("assistant", "Memória de acesso aleatório;\nvolátil.")]
    assert rejects[0]["ref"] == "faq.csv:6" and "answer" in rejects[0]["reason"]
    alpaca = "instruction\tinput\toutput\nTraduza\tgood morning\tbom dia\n"
    _res, convs, _r = _convert(tmp_path, "alpaca.tsv", alpaca)
    assert _pairs(convs[0]) == [("user", "Traduza\n\ngood morning"), ("assistant", "bom dia")]
    pr = "prompt,response,system\nOi,Olá!,Seja breve.\n"
    _res, convs, _r = _convert(tmp_path, "pr.csv", pr)
    assert _pairs(convs[0]) == [("system", "Seja breve."), ("user", "Oi"), ("assistant", "Olá!")]


def test_csv_wrong_columns_and_mapping(tmp_path):
    src = tmp_path / "planilha.csv"
    src.write_text("Q,A,Nota\nOi?,Olá.,5\n", encoding="utf-8")
    src2 = tmp_path / "x.csv"
    src2.write_text("col1,col2\na,b\n", encoding="utf-8")
    with pytest.raises(DatasetError, match=r"x\.csv:1: no question/answer columns \(columns: col1, col2\)"):
        convert_file(src2, tmp_path / "x.jsonl")
    with pytest.raises(DatasetError, match="no column named 'Resposta'"):
        convert_file(src, tmp_path / "y.jsonl", columns="user=Q,assistant=Resposta")
    res = convert_file(src, tmp_path / "z.jsonl", columns="user=Q,assistant=A")
    assert res.imported == 1
    pv = preview_file(src)
    assert pv.columns == ["Q", "A", "Nota"] and pv.format == "csv"


# -- JSON / JSONL ---------------------------------------------------------------------------------------
def test_json_shapes(tmp_path):
    arr = [
        {"pergunta": "O que é LGPD?", "resposta": "A lei de proteção de dados do Brasil."},
        {"instruction": "Resuma", "input": "texto longo", "output": "resumo"},
        {"messages": [{"role": "system", "content": "Seja gentil."}, {"role": "user", "content": "Oi"},
                      {"role": "assistant", "content": "Olá!"}]},
        {"conversations": [{"from": "human", "value": "Hi"}, {"from": "gpt", "value": "Hello!"}]},
    ]
    text = "[\n" + ",\n".join(json.dumps(a, ensure_ascii=False) for a in arr) + "\n]\n"
    res, convs, _r = _convert(tmp_path, "mix.json", text)
    assert res.imported == 4
    assert convs[1] == [{"role": "user", "content": "Resuma\n\ntexto longo"}, {"role": "assistant", "content": "resumo"}]
    assert convs[2][0]["role"] == "system" and convs[3][1] == {"role": "assistant", "content": "Hello!"}
    # {sender, message} sequences grouped by conversation id
    seq = [{"conversation_id": 1, "sender": "VOCÊ", "message": "Oi"},
           {"conversation_id": 1, "sender": "AEON", "message": "Olá!"},
           {"conversation_id": 1, "sender": "AEON", "message": "Em que posso ajudar?"},
           {"conversation_id": 2, "sender": "VOCÊ", "message": "Tchau"},
           {"conversation_id": 2, "sender": "AEON", "message": "Até mais"}]
    res, convs, _r = _convert(tmp_path, "chat.json", json.dumps(seq, ensure_ascii=False, indent=2))
    assert res.imported == 2
    assert convs[0][1]["content"] == "Olá!\nEm que posso ajudar?"


def test_jsonl_broken_lines_and_json_errors(tmp_path):
    lines = ['{"question": "2+2?", "answer": "4"}',
             '{"question": "3+3?", "answer": ',           # line 2: truncated
             '',
             '{"foo": 1}',                                  # line 4: unknown shape
             '{"messages": [{"role": "user", "content": "a"}, {"role": "user", "content": "b"}]}',
             '{"question": "4+4?", "answer": "8"}']
    res, convs, rejects = _convert(tmp_path, "data.jsonl", "\n".join(lines) + "\n")
    assert res.imported == 2 and res.rejected == 3  # the two user turns are merged, then no reply: rejected
    assert [r["ref"] for r in rejects] == ["data.jsonl:2", "data.jsonl:4", "data.jsonl:5"]
    assert rejects[2]["messages"] == [{"role": "user", "content": "a\nb"}]
    assert "invalid JSON" in rejects[0]["reason"]
    broken = '[\n {"q": "a", "a": "b"},\n {"q": "c", "a": \n]'
    res, convs, rejects = _convert(tmp_path, "broken.json", broken)
    assert res.imported == 1 and rejects[0]["ref"] == "broken.json:3"


# -- documents ------------------------------------------------------------------------------------------
def _pdf(path: Path, lines: list[str]) -> None:
    """A minimal valid PDF with one page of Helvetica text (xref offsets computed)."""
    text = "BT /F1 12 Tf 72 720 Td 14 TL " + " ".join(f"({ln}) Tj T*" for ln in lines) + " ET"
    objs = ["<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
            "/Resources << /Font << /F1 5 0 R >> >> >>",
            f"<< /Length {len(text)} >>\nstream\n{text}\nendstream",
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = b"%PDF-1.4\n", []
    for i, o in enumerate(objs, 1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n{o}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    path.write_bytes(out)


def test_documents_txt_md_pdf(tmp_path):
    md = tmp_path / "manual.md"
    md.write_text("# Instalação\n\nBaixe o instalador.\nExecute-o como administrador.\n\n"
                  "# Uso\n\n" + "Clique em Iniciar. " * 120 + "\n", encoding="utf-8")
    passages = list(read_document(md, max_chars=600, overlap=50))
    assert passages[0][0] == "manual.md:1" and "Baixe o instalador" in passages[0][1]
    assert passages[1][0] == "manual.md:6" and passages[1][1].startswith("# Uso")
    assert all(len(p) <= 700 for _r, p in passages) and len(passages) >= 4
    pdf = tmp_path / "guia.pdf"
    _pdf(pdf, ["O Aeon Studio roda modelos localmente.", "Ele treina adaptadores LoRA na CPU."])
    got = list(read_document(pdf))
    assert got and got[0][0] == "guia.pdf:p1" and "LoRA" in got[0][1]
    assert detect_format(pdf) == "document" and detect_format(md) == "document"
    res = convert_file(pdf, tmp_path / "guia.jsonl")
    assert res.passages == 1
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF-1.4\nnot really")
    with pytest.raises(DatasetError, match="bad.pdf"):
        list(read_document(bad))
    assert split_passages("a\n\nb", max_chars=100) == ["a\n\nb"]


# -- detection, preview, errors ---------------------------------------------------------------------------
def test_detect_format_and_errors(tmp_path):
    files = {"a.log": "VOCÊ: oi\nAEON: olá\n", "b.txt": "VOCÊ: oi\nAEON: olá\n", "c.csv": "question,answer\na,b\n",
             "d.jsonl": '{"q": "a", "a": "b"}\n', "e.json": '[{"q": "a", "a": "b"}]',
             "f.json": '{"q": "a", "a": "b"}\n{"q": "c", "a": "d"}\n', "g.txt": "Um texto comum.\n\nOutro.\n",
             "h.dat": "question;answer\na;b\n",
             # chat exports whose first character is a timestamp's "[" are logs, not JSON
             "i.log": "[12/03/2025 14:02] Ana: Oi\n[12/03/2025 14:03] Aeon: Olá!\n",
             "j.txt": "[12/03/2025 14:02] Ana: Oi\n[12/03/2025 14:03] Aeon: Olá!\n"}
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    got = {n: detect_format(tmp_path / n) for n in files}
    assert got == {"a.log": "log", "b.txt": "log", "c.csv": "csv", "d.jsonl": "jsonl", "e.json": "json",
                   "f.json": "jsonl", "g.txt": "document", "h.dat": "csv",
                   "i.log": "log", "j.txt": "log"}
    assert set(FORMATS) == {"log", "csv", "json", "jsonl", "document"}
    (tmp_path / "x.bin").write_bytes(b"\x00\x01garbage")
    with pytest.raises(DatasetError, match="Cannot tell the format") as e:
        detect_format(tmp_path / "x.bin")
    assert "log, csv, json, jsonl, document" in e.value.hint
    with pytest.raises(DatasetError, match="Unknown format 'xml'"):
        convert_file(tmp_path / "a.log", tmp_path / "o.jsonl", fmt="xml")
    with pytest.raises(DatasetError, match="no such file"):
        convert_file(tmp_path / "missing.log", tmp_path / "o.jsonl")
    with pytest.raises(DatasetError, match="is a folder"):
        detect_format(tmp_path)


def test_preview_first_records_and_speakers(tmp_path):
    src = tmp_path / "conversation.log"
    src.write_text(LOG + "\nVOCÊ: sem resposta\n", encoding="utf-8")
    pv = preview_file(src, limit=5)
    assert pv.format == "log" and pv.encoding == "utf-8" and not pv.repaired_mojibake
    assert len(pv.records) == 3 and pv.records[2].problem and pv.records[0].problem is None
    assert pv.speakers_found[:2] == ["VOCÊ", "AEON"] or set(pv.speakers_found[:2]) == {"VOCÊ", "AEON"}
    assert preview_file(src, limit=1).records[0].ref == "conversation.log:1"


# -- conversion output ----------------------------------------------------------------------------------------
def test_convert_dedup_length_and_loads_with_datasets(tmp_path):
    log = ("VOCÊ: Oi, tudo bem?\nAEON: Tudo!\n\n"
           "VOCÊ: Oi, tudo bem?\nAEON: Tudo!\n\n"         # exact duplicate
           "VOCÊ: oi tudo bem\nAEON: tudo\n\n"            # near-duplicate (case, punctuation)
           "VOCÊ: Explique.\nAEON: " + "muito longo " * 400 + "\n\n"
           "VOCÊ: Qual é a senha do wifi?\nAEON: Está no roteador.\n")
    res, convs, rejects = _convert(tmp_path, "d.log", log, max_tokens=300)
    assert (res.read, res.imported, res.duplicates, res.near_duplicates, res.rejected) == (5, 2, 1, 1, 1)
    assert "tokens" in rejects[0]["reason"] and rejects[0]["ref"] == "d.log:10"
    res2, _c, _r = _convert(tmp_path, "d2.log", log, near_dup=False, max_chars=100)
    assert (res2.imported, res2.duplicates, res2.rejected) == (3, 1, 1)
    import datasets

    ds = datasets.load_dataset("json", data_files=str(tmp_path / "d.out.jsonl"), split="train")
    assert ds.num_rows == 2 and ds[0]["messages"][0] == {"role": "user", "content": "Oi, tudo bem?"}


# -- fuzzing ------------------------------------------------------------------------------------------------------
_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=400)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.one_of(_TEXT, st.binary(max_size=400)), ext=st.sampled_from([".log", ".csv", ".json", ".jsonl",
                                                                             ".txt", ".md"]))
def test_fuzz_any_input_raises_only_dataset_error(tmp_path, data, ext):
    src = tmp_path / f"fuzz{ext}"
    src.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8", "surrogatepass"))
    try:
        res = convert_file(src, tmp_path / "fuzz.out.jsonl")
    except DatasetError:
        return
    assert res.read == res.imported + res.duplicates + res.near_duplicates + res.rejected
    for p in res.problems:
        assert p.startswith(f"fuzz{ext}:")


_WORD = st.text(alphabet="abcdefghij çãé?!.,", min_size=1, max_size=12).filter(lambda s: s.strip())


@st.composite
def _log(draw):
    """A log with random conversations, continuation lines and junk lines; returns (text, expected refs)."""
    lines, expected = [], []
    for _ in range(draw(st.integers(1, 6))):
        if lines:
            lines.extend([""] * draw(st.integers(1, 2)))
        start = len(lines) + 1
        turns = draw(st.integers(1, 4))
        ok = draw(st.booleans())
        for t in range(turns):
            lines.append("VOCÊ: " + draw(_WORD))
            for _c in range(draw(st.integers(0, 2))):
                lines.append("  " + draw(_WORD))
            if ok or t < turns - 1:
                lines.append("AEON: " + draw(_WORD))
        expected.append((start, ok))
    return "\n".join(lines) + "\n", expected


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(log=_log())
def test_fuzz_log_line_numbers_are_right(tmp_path, log):
    text, expected = log
    src = tmp_path / "f.log"
    src.write_text(text, encoding="utf-8")
    res = convert_file(src, tmp_path / "f.jsonl", near_dup=False, gap_minutes=0)
    bad = [f"f.log:{start}" for start, ok in expected if not ok]
    assert [p.split(": ")[0] for p in res.problems] == bad
    assert res.imported + res.duplicates == sum(1 for _s, ok in expected if ok)
    lines = text.split("\n")
    for ref in bad:
        assert lines[int(ref.split(":")[1]) - 1].startswith("VOCÊ: ")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.one_of(st.fixed_dictionaries({"q": _WORD, "a": _WORD}), _TEXT), min_size=1, max_size=8))
def test_fuzz_jsonl_line_numbers_are_right(tmp_path, rows):
    lines = [json.dumps(r, ensure_ascii=False) if isinstance(r, dict) else "x" + r.replace("\n", " ").replace(
        "\r", " ").replace("\x0b", " ").replace("\x0c", " ").replace("\x1c", " ").replace("\x1d", " ").replace(
        "\x1e", " ").replace("\x85", " ").replace("\u2028", " ").replace("\u2029", " ") for r in rows]
    src = tmp_path / "f.jsonl"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    res = convert_file(src, tmp_path / "f.out.jsonl", near_dup=False)
    want = [f"f.jsonl:{i}" for i, r in enumerate(rows, 1) if not isinstance(r, dict)]
    assert [p.split(": ")[0] for p in res.problems] == want


def test_a_binary_line_in_a_log_is_reported_not_glued_to_the_reply(tmp_path):
    """Seen by a new user: a PNG fragment pasted into a chat export (mostly printable once decoded) ended up inside
    the assistant's reply, NUL bytes and all."""
    raw = ("VOCÊ: Qual é a capital do Brasil?\nAEON: A capital do Brasil é Brasília.\n".encode()
           + b"\x00\x01\xff\xfe\x89PNG junk\x00\n" + "VOCÊ: Obrigado!\nAEON: De nada.\n".encode())
    res, convs, rejects = _convert(tmp_path, "chat-log.txt", raw)
    assert _pairs(convs[0]) == [("user", "Qual é a capital do Brasil?"),
                                ("assistant", "A capital do Brasil é Brasília."),
                                ("user", "Obrigado!"), ("assistant", "De nada.")]
    assert not any("\x00" in m["content"] or "PNG" in m["content"] for c in convs for m in c)
    assert [r["ref"] for r in rejects] == ["chat-log.txt:3"] and "unreadable" in rejects[0]["reason"]
