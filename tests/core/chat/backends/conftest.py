"""A keyring in memory for every backend test: nothing touches the real system keyring."""

from __future__ import annotations

import pytest

from tests.core.chat.backends.servers import memory_keyring as _memory_keyring


@pytest.fixture(autouse=True)
def memory_keyring():
    import keyring

    ring, previous = _memory_keyring()
    yield ring
    keyring.set_keyring(previous)
