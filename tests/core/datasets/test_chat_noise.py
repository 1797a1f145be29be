"""Chat exports (WhatsApp Android/iOS, pt and en; Telegram media tokens): media placeholders, deleted messages, call
and system notices are left out, counted by kind, and never merged into a turn."""

from __future__ import annotations

import json
from pathlib import Path

from aeon_studio.core.datasets import DatasetStore
from aeon_studio.core.datasets.formats.noise import dropped_text
from aeon_studio.core.datasets.importers import convert_file, import_files, preview_file

SPEAKERS = "Ana=user,Aeon=assistant"

ANDROID_PT = """\
12/03/2025 14:00 - As mensagens e as ligações são protegidas com a criptografia de ponta a ponta e ficam somente \
entre você e os participantes desta conversa. Nem mesmo o WhatsApp pode ler ou ouvi-las. Toque para saber mais.
12/03/2025 14:00 - Ana criou o grupo "Família"
12/03/2025 14:01 - Ana: Oi, tudo bem?
12/03/2025 14:01 - Ana: <Mídia oculta>
12/03/2025 14:02 - Aeon: Tudo ótimo! Como posso ajudar?
12/03/2025 14:02 - Aeon: Esta mensagem foi apagada
12/03/2025 14:03 - Ana: Qual a capital da França?
12/03/2025 14:03 - Ana: \u200eimagem anexada
12/03/2025 14:04 - Aeon: Paris. <Mensagem editada>
12/03/2025 14:05 - Ana: Chamada de voz perdida
12/03/2025 14:05 - Ana: E a da Itália?
12/03/2025 14:06 - Aeon: Roma.
"""

IOS_EN = """\
[12/03/2025, 14:00:01] Ana: \u200eMessages and calls are end-to-end encrypted. No one outside of this chat, not \
even WhatsApp, can read or listen to them.
[12/03/2025, 14:01:00] Ana: Hi there
[12/03/2025, 14:01:05] Ana: \u200eimage omitted
[12/03/2025, 14:02:00] Aeon: Hello! How can I help?
[12/03/2025, 14:02:30] Aeon: \u200eThis message was deleted.
[12/03/2025, 14:03:00] Ana: <Media omitted>
[12/03/2025, 14:03:05] Ana: Missed voice call
[12/03/2025, 14:03:10] Ana: What is 2+2?
[12/03/2025, 14:04:00] Aeon: 4.
[12/03/2025, 14:04:10] Aeon: \u200e<attached: 00000012-PHOTO-2025-03-12-14-04-10.jpg>
"""


def _convert(tmp_path: Path, name: str, text: str, **kw):
    src = tmp_path / name
    src.write_text(text, encoding="utf-8")
    out = tmp_path / (src.stem + ".out.jsonl")
    kw.setdefault("speakers", SPEAKERS)
    res = convert_file(src, out, **kw)
    return res, [json.loads(line)["messages"] for line in out.read_text(encoding="utf-8").splitlines()]


def test_android_export_in_portuguese(tmp_path):
    res, convs = _convert(tmp_path, "whatsapp.txt", ANDROID_PT)
    assert convs == [[
        {"role": "user", "content": "Oi, tudo bem?"},
        {"role": "assistant", "content": "Tudo ótimo! Como posso ajudar?"},
        {"role": "user", "content": "Qual a capital da França?"},
        {"role": "assistant", "content": "Paris."},
        {"role": "user", "content": "E a da Itália?"},
        {"role": "assistant", "content": "Roma."},
    ]]
    assert res.dropped == {"system": 2, "media": 2, "deleted": 1, "call": 1, "edited": 1}
    assert res.read == 1 and res.rejected == 0 and not res.problems
    assert dropped_text(res.dropped) == ("2 media placeholders, 1 deleted message, 1 call notice, 2 system messages, "
                                         "1 edit mark")


def test_ios_export_in_english_with_invisible_marks(tmp_path):
    res, convs = _convert(tmp_path, "chat.txt", IOS_EN)
    assert convs == [[
        {"role": "user", "content": "Hi there"},
        {"role": "assistant", "content": "Hello! How can I help?"},
        {"role": "user", "content": "What is 2+2?"},
        {"role": "assistant", "content": "4."},
    ]]
    assert res.dropped == {"system": 1, "media": 3, "deleted": 1, "call": 1}
    assert "\u200e" not in json.dumps(convs, ensure_ascii=False)


def test_a_notice_is_never_merged_into_the_next_turn(tmp_path):
    # a media line between two messages of the same speaker: the two stay one turn, the placeholder goes
    text = ("12/03/2025 14:01 - Ana: Olha isso\n12/03/2025 14:01 - Ana: <Mídia oculta>\n"
            "12/03/2025 14:01 - Ana: Legal, né?\n12/03/2025 14:02 - Aeon: Muito!\n")
    res, convs = _convert(tmp_path, "a.txt", text)
    assert convs == [[{"role": "user", "content": "Olha isso\nLegal, né?"}, {"role": "assistant", "content": "Muito!"}]]
    # a conversation made only of notices and one reply: nothing of the notices reaches a turn
    text = "12/03/2025 14:01 - Ana: <Media omitted>\n12/03/2025 14:02 - Aeon: Nice photo!\n"
    res, convs = _convert(tmp_path, "b.txt", text)
    assert convs == [] and res.rejected == 1 and res.dropped == {"media": 1}


def test_text_that_mentions_a_notice_stays(tmp_path):
    text = ("VOCÊ: O que significa <Mídia oculta> no WhatsApp?\n"
            "AEON: É o que aparece no lugar de uma foto quando você exporta sem mídia.\n\n"
            "VOCÊ: And 'This message was deleted'?\n"
            "AEON: This message was deleted: é o aviso de uma mensagem apagada.\n")
    res, convs = _convert(tmp_path, "plain.log", text, gap_minutes=None, speakers=None)
    assert not res.dropped and len(convs) == 2
    assert convs[0][0]["content"] == "O que significa <Mídia oculta> no WhatsApp?"
    assert convs[1][1]["content"].startswith("This message was deleted: ")


def test_telegram_media_tokens_and_unlabelled_system_lines(tmp_path):
    text = ("[12.03.2025 14:01] Ana: Bom dia\n[12.03.2025 14:01] Ana: [Photo]\n[12.03.2025 14:01] Ana: [Figurinha]\n"
            "[12.03.2025 14:02] Aeon: Bom dia!\n12/03/2025 14:03 - Seu código de segurança com Ana mudou\n"
            "[12.03.2025 14:04] Ana: Obrigada\n[12.03.2025 14:05] Aeon: De nada.\n")
    res, convs = _convert(tmp_path, "tg.txt", text)
    assert res.dropped == {"media": 2, "system": 1}
    assert convs == [[{"role": "user", "content": "Bom dia"}, {"role": "assistant", "content": "Bom dia!"},
                      {"role": "user", "content": "Obrigada"}, {"role": "assistant", "content": "De nada."}]]


def test_import_report_and_preview(tmp_path):
    src = tmp_path / "whatsapp.txt"
    src.write_text(ANDROID_PT, encoding="utf-8")
    pv = preview_file(src, speakers=SPEAKERS)
    kinds = [r.extra["dropped"] for r in pv.dropped]
    assert kinds == ["system", "system", "media", "deleted", "media", "edited", "call"]
    assert [r.line for r in pv.records] == sorted(r.line for r in pv.records)  # in line order
    assert len(pv.conversations) == 1 and pv.conversations[0].problem is None
    res = import_files("zap", [src], speakers=SPEAKERS)
    assert res.imported == 1 and res.dropped["media"] == 2
    assert "Mídia" not in json.dumps(DatasetStore().examples("zap"), ensure_ascii=False)


TELEGRAM = {"name": "Aeon", "type": "personal_chat", "id": 4242, "messages": [
    {"id": 1, "type": "service", "date": "2025-03-12T14:00:00", "actor": "Ana", "action": "phone_call",
     "discard_reason": "missed", "text": "", "text_entities": []},
    {"id": 2, "type": "message", "date": "2025-03-12T14:01:00", "from": "Ana", "from_id": "user1",
     "text": "Oi, tudo bem?", "text_entities": [{"type": "plain", "text": "Oi, tudo bem?"}]},
    {"id": 3, "type": "message", "date": "2025-03-12T14:01:10", "from": "Ana", "from_id": "user1",
     "photo": "(File not included. Change data exporting settings to download.)", "text": "", "text_entities": []},
    {"id": 4, "type": "message", "date": "2025-03-12T14:02:00", "from": "Aeon", "from_id": "user2",
     "text": ["Tudo ", {"type": "bold", "text": "ótimo"}, "! Como posso ajudar?"], "text_entities": []},
    {"id": 5, "type": "message", "date": "2025-03-12T14:03:00", "from": "Ana", "from_id": "user1",
     "media_type": "sticker", "sticker_emoji": "👍", "file": "(File not included.)", "text": "", "text_entities": []},
    {"id": 6, "type": "service", "date": "2025-03-12T14:03:05", "actor": "Ana", "action": "pin_message",
     "text": ""},
    {"id": 7, "type": "message", "date": "2025-03-12T14:03:10", "from": "Ana", "from_id": "user1",
     "text": "Qual a capital da França?", "text_entities": []},
    {"id": 8, "type": "message", "date": "2025-03-12T14:04:00", "from": "Aeon", "from_id": "user2", "text": "Paris.",
     "text_entities": []}]}


def test_telegram_json_export_and_notices_in_jsonl(tmp_path):
    res, convs = _convert(tmp_path, "result.json", json.dumps(TELEGRAM, ensure_ascii=False))
    assert res.dropped == {"call": 1, "media": 2, "system": 1} and res.rejected == 0
    assert convs == [[{"role": "user", "content": "Oi, tudo bem?"},
                      {"role": "assistant", "content": "Tudo ótimo! Como posso ajudar?"},
                      {"role": "user", "content": "Qual a capital da França?"},
                      {"role": "assistant", "content": "Paris."}]]
    rows = [{"sender": "Ana", "message": "Oi"}, {"sender": "Ana", "message": "<Mídia oculta>"},
            {"sender": "Aeon", "message": "Olá!"}, {"sender": "Aeon", "message": "\u200eThis message was deleted."}]
    res, convs = _convert(tmp_path, "chat.jsonl", "\n".join(json.dumps(r, ensure_ascii=False) for r in rows))
    assert res.dropped == {"media": 1, "deleted": 1}
    assert convs == [[{"role": "user", "content": "Oi"}, {"role": "assistant", "content": "Olá!"}]]
    pv = preview_file(tmp_path / "result.json", speakers=SPEAKERS)
    assert [r.extra["text"] for r in pv.dropped] == ["[phone_call]", "[photo]", "[sticker]", "[pin_message]"]
