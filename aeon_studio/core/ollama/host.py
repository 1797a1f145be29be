"""Where the Ollama server is: ``OLLAMA_HOST`` read exactly as Ollama's own client reads it.

Follows ``envconfig.Host()`` and ``envconfig.ConnectableHost()`` in github.com/ollama/ollama
(envconfig/config.go): surrounding spaces and quotes are ignored; ``host``, ``host:port``,
``[v6]:port`` and ``scheme://host[:port][/path]`` are accepted; with no scheme the port defaults to
11434, with ``http://`` to 80 and with ``https://`` to 443 (as in Ollama); an unusable port falls
back to that default; the bare value ``ollama.com`` means ``https://ollama.com:443``. A bind-all
address (``0.0.0.0``, ``::``) or an empty host means "this computer", so the client connects to the
loopback instead.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping

from ..settings import get_settings

DEFAULT_PORT = "11434"
DEFAULT_URL = f"http://127.0.0.1:{DEFAULT_PORT}"


def _env_value(environ: Mapping[str, str]) -> str:
    # Ollama's envconfig.Var: trim spaces, then quotes; Host() trims spaces once more.
    return environ.get("OLLAMA_HOST", "").strip().strip("\"'").strip()


def _split_host_port(hostport: str) -> tuple[str, str] | None:
    """Go's ``net.SplitHostPort``: ``None`` where Go returns an error (no port, stray colons)."""
    if hostport.startswith("["):
        end = hostport.find("]")
        if end < 0 or hostport[end + 1:end + 2] != ":":
            return None
        host, port = hostport[1:end], hostport[end + 2:]
        if "[" in host or "]" in port or "[" in port:
            return None
        return host, port
    colon = hostport.rfind(":")
    if colon < 0:
        return None
    host, port = hostport[:colon], hostport[colon + 1:]
    if ":" in host or "[" in host or "]" in host or "[" in port or "]" in port:
        return None
    return host, port


def _parse_ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        return None
    # Go prints an IPv4-mapped IPv6 address (::ffff:1.2.3.4) as the IPv4 address.
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def _valid_port(port: str) -> int | None:
    # Go's strconv.ParseInt(port, 10, 32): an optional sign, then decimal digits only.
    digits = port[1:] if port[:1] in "+-" else port
    if not digits or not digits.isascii() or not digits.isdigit():
        return None
    value = int(port)
    return value if 0 <= value <= 65535 else None


def _join(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def ollama_base_url(environ: Mapping[str, str] | None = None) -> str:
    """The URL an Ollama client connects to, from ``OLLAMA_HOST`` (Ollama's own rules).

    Args:
        environ: The environment to read (``os.environ`` when ``None``); tests pass a dict.

    Returns:
        ``scheme://host:port`` plus the path when ``OLLAMA_HOST`` has one (a reverse proxy),
        without a trailing slash, e.g. ``http://127.0.0.1:11434`` when the variable is unset.
    """
    value = _env_value(os.environ if environ is None else environ)
    default_port = DEFAULT_PORT
    scheme, sep, hostport = value.partition("://")
    if not sep:
        scheme, hostport = "http", value
        if value == "ollama.com":
            scheme, hostport = "https", "ollama.com:443"
    elif scheme == "http":
        default_port = "80"
    elif scheme == "https":
        default_port = "443"
    hostport, _slash, path = hostport.partition("/")

    split = _split_host_port(hostport)
    if split is None:
        host, port = "127.0.0.1", default_port
        ip = _parse_ip(hostport.strip("[]"))
        if ip is not None:
            host = str(ip)
        elif hostport:
            host = hostport
    else:
        host, port = split
        ip = _parse_ip(host)
        if ip is not None:
            host = str(ip)
    number = _valid_port(port)
    if number is None:
        number = int(default_port)

    # ConnectableHost(): a bind-all address is not somewhere a client can connect to; Go's dialer
    # also treats an empty host (":1234") as the local system.
    ip = _parse_ip(host)
    if host == "" or (ip is not None and ip.is_unspecified and ip.version == 4):
        host = "127.0.0.1"
    elif ip is not None and ip.is_unspecified:
        host = "::1"
    url = f"{scheme}://{_join(host, number)}"
    return f"{url}/{path}".rstrip("/") if path else url


def parse_host(value: str) -> str:
    """A host written by the user (``--host``, a setting) read with the same rules as ``OLLAMA_HOST``.

    Args:
        value: ``host``, ``host:port`` or ``scheme://host[:port][/path]``.

    Returns:
        The URL to connect to, as :func:`ollama_base_url` returns it.
    """
    return ollama_base_url({"OLLAMA_HOST": value})


def configured_base_url(environ: Mapping[str, str] | None = None) -> str:
    """The Ollama server Aeon Studio talks to when none is given for one call.

    The ``ollama_host`` setting wins when the user set it (environment variable or settings file),
    because it is specific to Aeon Studio; otherwise Ollama's own ``OLLAMA_HOST``, so Aeon finds the
    server wherever ``ollama`` itself does.

    Args:
        environ: The environment for ``OLLAMA_HOST`` (``os.environ`` when ``None``).

    Returns:
        The URL to connect to, without a trailing slash.
    """
    settings = get_settings()
    if "ollama_host" in settings.model_fields_set:
        return parse_host(settings.ollama_host)
    return ollama_base_url(environ)
