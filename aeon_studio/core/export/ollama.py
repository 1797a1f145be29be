"""Ollama export: a Modelfile folder, and model creation through Ollama's HTTP API or CLI.

API (https://github.com/ollama/ollama/blob/main/docs/api.md): each file is pushed as a blob —
``HEAD /api/blobs/sha256:<hex>`` (200 present, 404 absent), ``POST /api/blobs/sha256:<hex>`` with
the bytes (201; 400 when the bytes do not hash to the digest) — then ``POST /api/create`` with
``{"model", "files": {name: digest}, "adapters": {name: digest}, "template", "system",
"parameters", "stream": true}`` streams ``{"status": …}`` lines and ends with ``success`` (or an
``{"error": …}`` line). Only loopback hosts are contacted unless the user configured another host
(the ``ollama_host`` setting, or Ollama's own ``OLLAMA_HOST``: see :mod:`aeon_studio.core.ollama.host`).

The Modelfile is written so that Ollama's parser reads back exactly the same template, system prompt
and parameters (:mod:`aeon_studio.core.ollama.modelfile`), and the TEMPLATE renders what the model's
own chat template renders, including a default system prompt the model's template inserts when the
conversation has none (SmolLM2 and Qwen2.5 do).
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import logging
import os
import shutil
import subprocess
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from ..i18n import _
from ..ollama.host import configured_base_url, parse_host
from ..ollama.modelfile import modelfile_value
from ..ollama.names import check_model_name
from .errors import ExportError
from .gguf_io import atomic_output

log = logging.getLogger(__name__)

Status = Callable[[str], None]

# Go templates (Ollama's TEMPLATE syntax) for the chat-template families. Ollama puts SYSTEM
# into .Messages as a "system" message.
TEMPLATES: dict[str, tuple[str, list[str]]] = {
    "chatml": ("""{{- range .Messages }}<|im_start|>{{ .Role }}
{{ .Content }}<|im_end|>
{{ end }}<|im_start|>assistant
""", ["<|im_start|>", "<|im_end|>"]),
    "gemma": ("""{{- range $i, $_ := .Messages }}
{{- $last := eq (len (slice $.Messages $i)) 1 }}
{{- if or (eq .Role "user") (eq .Role "system") }}<start_of_turn>user
{{ .Content }}<end_of_turn>
{{ if $last }}<start_of_turn>model
{{ end }}
{{- else if eq .Role "assistant" }}<start_of_turn>model
{{ .Content }}{{ if not $last }}<end_of_turn>
{{ end }}
{{- end }}
{{- end }}""", ["<end_of_turn>"]),
    "llama3": ("""{{- range .Messages }}<|start_header_id|>{{ .Role }}<|end_header_id|>

{{ .Content }}<|eot_id|>
{{- end }}<|start_header_id|>assistant<|end_header_id|>

""", ["<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"]),
}


#: How a family writes a system turn: the text before and after its content (Gemma has no system turn).
SYSTEM_TURN: dict[str, tuple[str, str]] = {
    "chatml": ("<|im_start|>system\n", "<|im_end|>\n"),
    "llama3": ("<|start_header_id|>system<|end_header_id|>\n\n", "<|eot_id|>"),
}
_PROBE = "\x00aeon-probe\x00"


def _raise(message: str) -> None:
    raise ValueError(message)  # what transformers' raise_exception does inside a chat template


def default_system_prompt(chat_template: str | None, family: str) -> str:
    """The system prompt the model's own chat template adds when a conversation has none ("" if none).

    The Jinja template is rendered (as transformers and llama.cpp do) for one user message; a system
    turn in front of it is the template's default, which the Ollama TEMPLATE must then add too.
    """
    if not chat_template or family not in SYSTEM_TURN:
        return ""
    try:
        from jinja2.sandbox import ImmutableSandboxedEnvironment

        env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)
        env.globals["raise_exception"] = _raise
        text = env.from_string(chat_template).render(
            messages=[{"role": "user", "content": _PROBE}], add_generation_prompt=False, bos_token="",
            eos_token="")
    except Exception as exc:  # noqa: BLE001 - any template error only means "no default found"
        log.warning("chat template not rendered (%s); no default system prompt", exc)
        return ""
    before = text.split(_PROBE, 1)[0]
    opening, closing = SYSTEM_TURN[family]
    head = before.removeprefix("<|begin_of_text|>")
    if head.startswith(opening) and closing in head[len(opening):]:
        return head[len(opening):].split(closing, 1)[0]
    return ""


def _go_text(text: str) -> str:
    """``text`` as literal output of a Go template.

    A Go string action when the text holds ``{{`` (it would start an action) or three double quotes
    (a line ending in them cannot be written in the Modelfile's TEMPLATE block); JSON's escapes are Go's.
    """
    if "{{" in text or '"""' in text:
        return "{{ " + json.dumps(text, ensure_ascii=False) + " }}"
    return text


def template_family(chat_template: str | None, architecture: str) -> str:
    """``chatml``, ``gemma`` or ``llama3`` from the GGUF chat template (or the architecture)."""
    t = chat_template or ""
    if "<|start_header_id|>" in t:
        return "llama3"
    if "<start_of_turn>" in t or (not t and architecture.startswith("gemma")):
        return "gemma"
    if "<|im_start|>" in t or not t:
        return "chatml"
    raise ExportError(_("The chat template of this model is not ChatML, Gemma or Llama 3; Ollama's template "
                        "cannot be generated."), hint=_("Write the TEMPLATE of the Modelfile by hand."))


@dataclass
class OllamaSpec:
    """Everything a Modelfile / create request says."""

    name: str
    model_file: Path  # base GGUF (with an adapter) or merged GGUF
    adapter_file: Path | None
    family: str
    system: str = ""
    temperature: float = 0.7
    top_p: float = 0.95
    extra_stops: list[str] = field(default_factory=list)
    default_system: str = ""  # what the model's chat template says when the conversation has no system turn

    @property
    def template(self) -> str:
        body = TEMPLATES[self.family][0]
        if not self.default_system or self.family not in SYSTEM_TURN:
            return body
        opening, closing = SYSTEM_TURN[self.family]
        # Ollama puts SYSTEM (the persona) first in .Messages; only a conversation without one gets the default.
        return ('{{- if and .Messages (ne (index .Messages 0).Role "system") }}'
                f"{opening}{_go_text(self.default_system)}{closing}{{{{ end }}}}" + body)

    @property
    def stops(self) -> list[str]:
        return TEMPLATES[self.family][1] + [s for s in self.extra_stops if s not in TEMPLATES[self.family][1]]

    def parameters(self) -> dict:
        return {"stop": self.stops, "temperature": self.temperature, "top_p": self.top_p}


def modelfile_text(spec: OllamaSpec, *, model_ref: str, adapter_ref: str | None) -> str:
    """The Modelfile; Ollama's parser reads every value back unchanged, or this raises ``ModelfileError``."""
    lines = [f"# Aeon Studio export: {spec.name}",
             f"FROM {modelfile_value(model_ref, _('the model path'), prefer='bare')}"]
    if adapter_ref:
        lines.append(f"ADAPTER {modelfile_value(adapter_ref, _('the adapter path'), prefer='bare')}")
    lines.append(f"TEMPLATE {modelfile_value(spec.template, _('the template'))}")
    lines += [f"PARAMETER stop {modelfile_value(s, _('the stop sequence {stop!r}').format(stop=s), prefer='quoted')}"
              for s in spec.stops]
    lines.append(f"PARAMETER temperature {spec.temperature:g}")
    lines.append(f"PARAMETER top_p {spec.top_p:g}")
    if spec.system:
        lines.append(f"SYSTEM {modelfile_value(spec.system, _('the system prompt'))}")
    return "\n".join(lines) + "\n"


@dataclass
class OllamaResult:
    folder: Path
    modelfile: Path
    method: str  # "api" | "cli" | "modelfile"
    command: str
    statuses: list[str] = field(default_factory=list)


def write_folder(spec: OllamaSpec, folder: Path) -> Path:
    """Copy the GGUF files next to a Modelfile that references them by relative path."""
    # The text first: a prompt Ollama's parser would misread stops the export before any file is copied.
    text = modelfile_text(spec, model_ref=f"./{spec.model_file.name}",
                          adapter_ref=f"./{spec.adapter_file.name}" if spec.adapter_file else None)
    folder.mkdir(parents=True, exist_ok=True)
    for src in [spec.model_file] + ([spec.adapter_file] if spec.adapter_file else []):
        dst = folder / src.name
        if not dst.exists() or dst.stat().st_size != src.stat().st_size:
            with atomic_output(dst) as tmp:
                try:  # a hard link costs no space when the exports folder is on the same disk
                    os.link(src, tmp)
                except OSError:
                    shutil.copyfile(src, tmp)
    target = folder / "Modelfile"
    with atomic_output(target) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return target


def check_host(host: str) -> str:
    """Return ``host`` as a URL (read like ``OLLAMA_HOST``: no port means 11434); refuse a non-loopback host
    unless it is the configured one (the ``ollama_host`` setting or ``OLLAMA_HOST``)."""
    url = parse_host(host)
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise ExportError(_("'{host}' is not an http(s) URL.").format(host=host),
                          hint=_("Use a URL like http://127.0.0.1:11434."))
    name = parsed.hostname
    try:
        loopback = ipaddress.ip_address(name).is_loopback
    except ValueError:
        loopback = name == "localhost"
    if not loopback and url != configured_base_url():
        raise ExportError(
            _("Refusing to send the model to {host}: only this computer (loopback) is allowed.").format(host=host),
            hint=_("To use another machine, set 'ollama_host' in the settings (or OLLAMA_HOST) to that URL first."))
    return url


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return "sha256:" + h.hexdigest()


def _request(url: str, *, method: str, data=None, headers: dict | None = None, timeout: float = 30):
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    return urllib.request.urlopen(req, timeout=timeout)  # noqa: S310 - host checked by check_host


def server_alive(host: str, timeout: float = 1.5) -> bool:
    try:
        with _request(f"{host}/api/version", method="GET", timeout=timeout) as resp:
            return resp.status == 200
    except (urllib.error.URLError, OSError, ValueError):
        return False


def _error_text(exc: urllib.error.HTTPError) -> str:
    try:
        body = exc.read().decode("utf-8", errors="replace")
        return json.loads(body).get("error", body)
    except (ValueError, OSError, AttributeError):
        return str(exc)


def push_blob(host: str, path: Path, status: Status) -> str:
    digest = sha256_file(path)
    url = f"{host}/api/blobs/{digest}"
    try:
        with _request(url, method="HEAD"):
            status(_("{name}: already on the server").format(name=path.name))
            return digest
    except urllib.error.HTTPError as exc:
        if exc.code != 404:
            raise ExportError(_("Ollama answered {code} for {url}: {error}").format(
                code=exc.code, url=url, error=_error_text(exc))) from exc
    status(_("Uploading {name} ({size} MB)").format(name=path.name, size=round(path.stat().st_size / 2**20, 1)))
    try:
        with path.open("rb") as fh, _request(url, method="POST", data=fh, timeout=600, headers={
                "Content-Length": str(path.stat().st_size), "Content-Type": "application/octet-stream"}) as resp:
            if resp.status not in (200, 201):
                raise ExportError(_("Ollama did not accept {name} (HTTP {code}).").format(name=path.name,
                                                                                       code=resp.status))
    except urllib.error.HTTPError as exc:
        raise ExportError(_("Ollama rejected {name}: {error} (HTTP {code}).").format(
            name=path.name, error=_error_text(exc), code=exc.code)) from exc
    return digest


def create_via_api(spec: OllamaSpec, host: str, status: Status) -> list[str]:
    """Push the blobs and create the model; returns the streamed status lines."""
    files = {spec.model_file.name: push_blob(host, spec.model_file, status)}
    body: dict = {"model": spec.name, "files": files, "template": spec.template,
                  "parameters": spec.parameters(), "stream": True}
    if spec.adapter_file:
        body["adapters"] = {spec.adapter_file.name: push_blob(host, spec.adapter_file, status)}
    if spec.system:
        body["system"] = spec.system
    seen: list[str] = []
    try:
        with _request(f"{host}/api/create", method="POST", data=json.dumps(body).encode(), timeout=600,
                      headers={"Content-Type": "application/json"}) as resp:
            for raw in resp:
                if not raw.strip():
                    continue
                msg = json.loads(raw)
                if "error" in msg:
                    raise ExportError(_("Ollama could not create '{name}': {error}").format(
                        name=spec.name, error=msg["error"]))
                seen.append(str(msg.get("status", "")))
                status(seen[-1])
    except urllib.error.HTTPError as exc:
        raise ExportError(_("Ollama could not create '{name}': {error} (HTTP {code}).").format(
            name=spec.name, error=_error_text(exc), code=exc.code)) from exc
    if not seen or seen[-1] != "success":
        raise ExportError(_("Ollama stopped before finishing '{name}' (last status: {last}).").format(
            name=spec.name, last=seen[-1] if seen else "-"))
    return seen


def export_ollama(spec: OllamaSpec, folder: Path, *, host: str | None = None, modelfile_only: bool = False,
                  status: Status | None = None) -> OllamaResult:
    """Write the folder, then create the model via the API, else the CLI, else print the command."""
    status = status or (lambda _m: None)
    check_model_name(spec.name)
    modelfile = write_folder(spec, folder)
    command = f'ollama create {spec.name} -f "{modelfile}"'
    result = OllamaResult(folder, modelfile, "modelfile", command)
    if modelfile_only:
        return result
    url = check_host(host or configured_base_url())
    if server_alive(url):
        status(_("Ollama answers at {host}").format(host=url))
        result.statuses = create_via_api(spec, url, status)
        result.method = "api"
        return result
    exe = shutil.which("ollama")
    if exe:
        status(_("Running: {command}").format(command=command))
        proc = subprocess.run([exe, "create", spec.name, "-f", str(modelfile)], capture_output=True, text=True,
                              timeout=1800, cwd=folder)
        if proc.returncode != 0:
            raise ExportError(_("'ollama create' failed: {error}").format(
                error=(proc.stderr or proc.stdout).strip()[-500:]))
        result.method = "cli"
        result.statuses = [line for line in proc.stdout.splitlines() if line.strip()]
        return result
    status(_("No Ollama server at {host} and no 'ollama' command; run: {command}").format(host=url,
                                                                                       command=command))
    return result
