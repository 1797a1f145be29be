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
