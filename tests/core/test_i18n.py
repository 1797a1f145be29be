from aeon_studio.core import i18n
from aeon_studio.core.errors import ValidationError
from aeon_studio.core.personas import PersonaStore


def test_parse_po_handles_continuations_and_escapes():
    text = 'msgid ""\nmsgstr "header"\n\nmsgid "Hello {name}"\nmsgstr "Olá "\n"{name}\\n"\n'
    assert i18n.parse_po(text) == {"Hello {name}": "Olá {name}\n"}


def test_portuguese_catalogue_is_used(monkeypatch):
    from aeon_studio.core.storage.chats import _check_range

    i18n.set_language("pt_BR")
    try:
        assert PersonaStore().get("casual").description == "Conversa amigável e informal."
        try:
            _check_range(9, 1, 5, what=i18n._("A rating"))
        except ValidationError as err:
            assert "Nada foi armazenado" in str(err)
    finally:
        i18n.set_language(None)
    assert i18n._("A rating") == "A rating"


def test_plural_entries_pick_the_form_for_the_count():
    text = ('msgid "{n} example"\nmsgid_plural "{n} examples"\nmsgstr[0] "{n} exemplo"\nmsgstr[1] "{n} exemplos"\n'
            '\nmsgid "Hi"\nmsgstr "Oi"\n')
    cat = i18n.parse_po(text)
    assert cat["Hi"] == "Oi"
    assert cat["{n} example" + i18n.PLURAL_SEP + "{n} examples"] == "{n} exemplo\x00{n} exemplos"
    assert [i18n.plural_index(n, "pt_BR") for n in (0, 1, 2)] == [1, 0, 1]  # "0 exemplos", "1 exemplo"
    assert [i18n.plural_index(n, "en") for n in (0, 1, 2)] == [1, 0, 1]
    i18n.set_language("en")
    try:
        assert i18n.ngettext("{n} file", "{n} files", 1).format(n=1) == "1 file"
        assert i18n.ngettext("{n} file", "{n} files", 0).format(n=0) == "0 files"
    finally:
        i18n.set_language(None)


def _check_script():
    """``scripts/i18n_check.py`` as a module (it is a script, not part of the package)."""
    import importlib.util
    import sys
    from pathlib import Path

    if "i18n_check" in sys.modules:
        return sys.modules["i18n_check"]
    path = Path(__file__).resolve().parents[2] / "scripts" / "i18n_check.py"
    spec = importlib.util.spec_from_file_location("i18n_check", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["i18n_check"] = module  # its dataclass needs the module registered
    spec.loader.exec_module(module)
    return module


def test_check_reads_ngettext_and_lists_untranslated(tmp_path):
    check = _check_script()
    src = tmp_path / "mod.py"
    src.write_text('from aeon_studio.core.i18n import _, ngettext\n'
                   'a = _("Cancel")\n'
                   'b = ngettext("{n} example", "{n} examples", 3)\n'
                   'c = ngettext("{n} zebra nobody translated", "{n} zebras nobody translated", 3)\n'
                   'd = _("Nobody translated this one")\n', encoding="utf-8")
    keys = [e.key for e in check.entries_in(src)]
    assert "{n} example" + i18n.PLURAL_SEP + "{n} examples" in keys
    missing = [key for _f, _line, key in check.missing("pt_BR", [src])]
    assert missing == ["{n} zebra nobody translated" + i18n.PLURAL_SEP + "{n} zebras nobody translated",
                       "Nobody translated this one"]


def test_check_finds_counts_that_need_ngettext():
    check = _check_script()
    assert check.counted_nouns("Imported {n} examples into '{name}'.") == ["{n} examples"]
    assert check.counted_nouns("Retrain ({n} new ratings)") == ["{n} new ratings"]
    assert check.counted_nouns("Forgot {n} memory item(s).") == ["item(s)"]
    for fine in ("{r:.1f} tokens/s", "{path} holds no LoRA weights.", "Step {s}/{t} · loss {loss:.4f}",
                 "Example {id} does not exist.", "'{host}' is not an http(s) URL.", "Files imported: {n}",
                 "~{tok} tokens", "Sources ({n})"):
        assert check.counted_nouns(fine) == [], fine


def test_every_string_has_a_translation_and_every_count_uses_ngettext():
    """The release gate: scripts/i18n_check.py over aeon_studio/ finds nothing."""
    check = _check_script()
    missing = [f"{f.name}:{line}: {key!r}" for f, line, key in check.missing("pt_BR")]
    assert not missing, "strings without a pt_BR translation:\n" + "\n".join(missing)
    counts = [f"{f.name}:{line}: {text!r}" for f, line, text, _phrase in check.counts_without_plural()]
    assert not counts, "counted strings that need ngettext:\n" + "\n".join(counts)


def test_portuguese_plurals_and_gender():
    i18n.set_language("pt_BR")
    try:
        one = i18n.ngettext("{n} example", "{n} examples", 1).format(n=1)
        many = i18n.ngettext("{n} example", "{n} examples", 2).format(n=2)
        assert (one, many) == ("1 exemplo", "2 exemplos")
        assert i18n.ngettext("Forgot {n} memory.", "Forgot {n} memories.", 1).format(n=1) == "1 memória esquecida."
        assert i18n._("{name}  (built-in)").format(name="Técnico") == "Técnico  (embutida)"
        assert i18n._("{name}  (built-in, edited)").format(name="Casual") == "Casual  (embutida, editada)"
        assert i18n._("built-in") == "embutido"  # a model (masculine), in the Models tab
    finally:
        i18n.set_language(None)


def test_memory_sources_and_exchanges_are_translated_when_shown():
    from aeon_studio.core.memory.display import item_text, source_text, stored_exchange

    stored = "User: my name is Ana\nAssistant: Nice to meet you, Ana."
    assert source_text("conversation 6") == "conversation 6"
    assert item_text("exchange", stored) == stored
    i18n.set_language("pt_BR")
    try:
        assert source_text("conversation 6") == "conversa 6"
        assert source_text("you said, conversation 12") == "você disse, conversa 12"
        assert source_text("you mentioned it, conversation 3") == "você mencionou, conversa 3"
        assert source_text("plan.md, passage 2") == "plan.md, trecho 2"
        assert source_text("my notes") == "my notes"
        assert source_text("added by you") == "adicionado por você"
        shown = item_text("exchange", stored)
        assert shown == "Você: my name is Ana\nAssistente: Nice to meet you, Ana."
        assert item_text("fact", "User: stays") == "User: stays"
        assert stored_exchange(shown) == stored
    finally:
        i18n.set_language(None)
    assert source_text("conversa 6") == "conversation 6"  # stored while the app was in Portuguese
