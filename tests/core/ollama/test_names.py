"""``check_model_name`` follows Ollama's types/model/name.go and says which rule a name breaks."""

from __future__ import annotations

import pytest

from aeon_studio.core.errors import AeonError
from aeon_studio.core.ollama.names import OllamaNameError, check_model_name

VALID = ["aeon", "aeon:v2", "user/aeon", "user/aeon:v2", "_private", "_a:_b", "Aeon-Casual.1",
         "registry.example.com:5000/user/aeon:latest", "https://example.com/user/aeon", "a" * 80,
         "a:" + "b" * 80, "n" * 80 + "/m", "h" * 350 + "/n/m", "aeon:v2.1-rc_3", "9lives"]


@pytest.mark.parametrize("name", VALID)
def test_names_ollama_accepts(name: str) -> None:
    assert check_model_name(name) == name


@pytest.mark.parametrize(("name", "rule"), [
    ("", "empty"),
    ("   ", "empty"),
    ("aeon:", "its tag is empty"),
    ("/aeon", "its namespace is empty"),
    ("user/", "its model is empty"),
    (":v2", "its model is empty"),
    ("a" * 81, "is 81 characters long; Ollama allows at most 80"),
    ("aeon:" + "t" * 81, "its tag"),
    ("n" * 81 + "/m", "its namespace"),
    ("h" * 351 + "/n/m", "at most 350"),
    ("-aeon", "starts with '-'"),
    (".aeon", "starts with '.'"),
    ("aeon:-v2", "its tag '-v2' starts with '-'"),
    ("bad name!", "character 4 of its model 'bad name!' is ' '"),
    ("user.name/aeon", "character 5 of its namespace 'user.name' is '.'"),
    ("aeon:v:2", "character 5 of its model 'aeon:v' is ':'"),  # the tag is cut at the last ':'
    ("café", "is 'é'"),
    ("ação", "'ç'"),
])
def test_names_ollama_refuses_say_which_rule(name: str, rule: str) -> None:
    with pytest.raises(OllamaNameError, match="Ollama") as err:
        check_model_name(name)
    assert rule in str(err.value)
    assert isinstance(err.value, AeonError) and err.value.hint


def test_a_bad_character_is_named_before_the_length() -> None:
    # Go compares byte lengths; a name with a non-ASCII character is refused for the character, which says more.
    with pytest.raises(OllamaNameError, match="character 80 of its model .* is 'é'"):
        check_model_name("a" * 79 + "é" + "b" * 5)
