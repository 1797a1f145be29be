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
    assert [i18n.plural_index(n, "pt_BR") for n in (0, 1, 2)] == [0, 0, 1]
    assert [i18n.plural_index(n, "en") for n in (0, 1, 2)] == [1, 0, 1]
    i18n.set_language("en")
    try:
        assert i18n.ngettext("{n} file", "{n} files", 1).format(n=1) == "1 file"
        assert i18n.ngettext("{n} file", "{n} files", 0).format(n=0) == "0 files"
    finally:
        i18n.set_language(None)
