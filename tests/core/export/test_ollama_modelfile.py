"""Every Modelfile Aeon writes is read back by Ollama's parser rules (tests/core/ollama/modelfile_parser.py) to
exactly the same template, system prompt and parameters; a text that cannot be written so is refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import example, given, settings, strategies as st

from aeon_studio.core.errors import AeonError
from aeon_studio.core.export.ollama import OllamaSpec, modelfile_text, write_folder
from aeon_studio.core.ollama.modelfile import ModelfileError, modelfile_value
from tests.core.ollama.modelfile_parser import ModelfileSyntaxError, go_is_print, parse_modelfile

# Quotes, newlines of every kind, spaces, backslashes, braces, accents, emoji; now and then a character Go does not
# print (zero-width, no-break space, joiner, control, BOM, line separator), which must be refused.
TRICKY = st.sampled_from(['"', '"""', "\n", "\r", "\r\n", " ", "\t", "\\", "{{", "}}", "#", "ç", "ã", "😀", "a",
                          "Z", "SYSTEM ", "FROM x", '"\n', '""" \n', "  \n"])
INVISIBLE = st.sampled_from(["\u200b", "\u00a0", "\u200d", "\x00", "\x1b", "\ufeff", "\u2028"])
PRINTABLE = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Cf", "Co", "Cn", "Zs", "Zl", "Zp")), max_size=4)
_VISIBLE = st.lists(st.one_of(TRICKY, PRINTABLE), max_size=12).map("".join)
_ANY = st.lists(st.one_of(TRICKY, PRINTABLE, INVISIBLE), max_size=12).map("".join)
TEXTS = st.one_of(_VISIBLE, _VISIBLE, _VISIBLE, _ANY)


def read_back(value: str, command: str = "SYSTEM") -> str:
    parsed = parse_modelfile(f"FROM ./m.gguf\n{command} {value}\n")
    return parsed.commands[1][1]


def misread(written: str, text: str) -> bool:
    try:
        return read_back(written) != text
    except ModelfileSyntaxError:
        return True


@settings(max_examples=600, deadline=None)
@given(text=TEXTS, prefer=st.sampled_from(["block", "quoted", "bare"]))
@example(text='Say "hi" """ politely.', prefer="block")
@example(text='ends with """\nnext line', prefer="block")
@example(text='"""\nalone', prefer="block")
@example(text='\n"""starts a line', prefer="block")
@example(text='a\\"""\\\nb', prefer="quoted")
@example(text='  spaced  ', prefer="bare")
@example(text="", prefer="block")
def test_a_written_value_reads_back_unchanged_or_is_refused(text: str, prefer: str) -> None:
    try:
        written = modelfile_value(text, "the text", prefer=prefer)
    except ModelfileError as err:
        assert "Modelfile" in str(err) and err.hint
        # A refusal is never needless: every quoting the parser knows would give Ollama another text.
        assert all(misread(form, text) for form in (text, f'"{text}"', f'"""{text}"""'))
        return
    assert read_back(written) == text
    if prefer == "block":
        assert written.startswith('"""')


def test_texts_the_parser_drops_or_cuts_are_refused_with_line_and_column() -> None:
    with pytest.raises(ModelfileError, match=r"line 2, column 3 .*U\+200B \(ZERO WIDTH SPACE\)"):
        modelfile_value("ok\nab\u200bc", "the system prompt")
    with pytest.raises(ModelfileError, match=r"U\+00A0 \(NO-BREAK SPACE\)"):
        modelfile_value("a\u00a0b", "the system prompt")
    with pytest.raises(ModelfileError, match=r'on line 1, three double quotes \("""\) end the line'):
        modelfile_value('Say """\nthen more', "the system prompt")
    assert issubclass(ModelfileError, AeonError)


def test_unicode_tabs_and_crlf_survive() -> None:
    text = "Você é \"Aeon\" 😀\tnaïve\r\nline two\\n (literal backslash-n)\rthree"
    assert read_back(modelfile_value(text, "x")) == text
    assert all(go_is_print(c) or c in "\t\r\n" for c in text)


def spec_with(system: str, stops: list[str], default: str = "") -> OllamaSpec:
    return OllamaSpec("user/aeon:v2", Path("base model.gguf"), Path("ad.gguf"), "chatml", system=system,
                      temperature=0.25, top_p=0.9, extra_stops=stops, default_system=default)


@settings(max_examples=200, deadline=None)
@given(system=TEXTS, stop=TEXTS.filter(bool), default=TEXTS)
def test_whole_modelfile_round_trip(system: str, stop: str, default: str) -> None:
    spec = spec_with(system, [stop], default)
    try:
        text = modelfile_text(spec, model_ref="./base model.gguf", adapter_ref="./ad.gguf")
    except ModelfileError:
        return  # covered above: refused texts are the ones the parser would misread
    parsed = parse_modelfile(text)
    assert parsed.first("model") == "./base model.gguf" and parsed.first("adapter") == "./ad.gguf"
    assert parsed.first("template") == spec.template
    assert parsed.first("system") == (system or None)
    assert parsed.all("stop") == spec.stops
    assert parsed.first("temperature") == "0.25" and parsed.first("top_p") == "0.9"


def test_a_refused_system_prompt_leaves_no_files(tmp_path) -> None:
    model = tmp_path / "m.gguf"
    model.write_bytes(b"GGUF")
    spec = OllamaSpec("aeon", model, None, "chatml", system='Quote: """\nEnd.')
    with pytest.raises(ModelfileError, match="the system prompt"):
        write_folder(spec, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_a_character_newer_than_the_unicode_tables_is_refused_not_guessed() -> None:
    import unicodedata

    unknown = next(chr(c) for c in range(0x1FA70, 0x1FB00) if unicodedata.category(chr(c)) == "Cn")
    with pytest.raises(ModelfileError, match=f"U\\+{ord(unknown):04X}, a character this installation's Unicode"):
        modelfile_value(f"Hi {unknown}", "the system prompt")
