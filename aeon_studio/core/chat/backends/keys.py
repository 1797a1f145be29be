"""API keys of chat servers, in the system keyring (``keyring``: Secret Service, KWallet, macOS Keychain,
Windows Credential Locker). Never in the database, the settings or a log.

A key belongs to a server, not to a persona: it is stored under the service ``aeon-studio`` with the server's base
URL as the user name, so personas that use the same server share it. ``AEON_STUDIO_API_KEY`` in the environment is
used when the keyring has none (a machine without a keyring, CI).
"""

from __future__ import annotations

import logging
import os

from ...errors import AeonError
from ...i18n import _
from ...personas import check_base_url

log = logging.getLogger(__name__)

SERVICE = "aeon-studio"
ENV_KEY = "AEON_STUDIO_API_KEY"


class KeyStoreError(AeonError):
    """The system keyring cannot store or remove a key."""


def _user(url: str) -> str:
    return check_base_url(url)


def api_key_for(url: str) -> str | None:
    """The API key stored for the server at ``url``, else ``AEON_STUDIO_API_KEY``, else None."""
    import keyring
    from keyring.errors import KeyringError

    try:
        key = keyring.get_password(SERVICE, _user(url))
    except KeyringError as exc:  # no keyring on this machine: the environment may still have one
        log.info("no API key from the keyring for %s: %s", url, type(exc).__name__)
        key = None
    return key or os.environ.get(ENV_KEY) or None


def has_api_key(url: str) -> bool:
    """Whether a key is stored for ``url`` (in the keyring or the environment); the key itself is not returned."""
    return api_key_for(url) is not None


def set_api_key(url: str, key: str) -> None:
    """Store ``key`` for the server at ``url`` in the system keyring.

    Raises:
        KeyStoreError: the key is empty, or no keyring is available (nothing was stored).
    """
    import keyring
    from keyring.errors import KeyringError

    key = key.strip()
    if not key:
        raise KeyStoreError(_("The API key is empty; nothing was stored."))
    try:
        keyring.set_password(SERVICE, _user(url), key)
    except KeyringError as exc:
        raise KeyStoreError(
            _("The system keyring could not store the API key for {url} ({error}).").format(
                url=_user(url), error=type(exc).__name__),
            hint=_("Unlock or install a keyring (GNOME Keyring, KWallet), or set {env} in the environment "
                   "instead. The key was not stored anywhere else.").format(env=ENV_KEY)) from exc


def delete_api_key(url: str) -> bool:
    """Remove the key stored for ``url``; False when there was none."""
    import keyring
    from keyring.errors import KeyringError, PasswordDeleteError

    try:
        keyring.delete_password(SERVICE, _user(url))
    except PasswordDeleteError:
        return False
    except KeyringError as exc:
        raise KeyStoreError(_("The system keyring could not remove the API key for {url} ({error}).").format(
            url=_user(url), error=type(exc).__name__)) from exc
    return True
