"""A small renderer for the part of Go's text/template that Aeon's Ollama TEMPLATEs use, for tests.

Covers: text with ``{{-``/``-}}`` trimming; ``range PIPE`` and ``range $i, $x := PIPE``; ``if``/``else if``/
``else``/``end``; ``$x := PIPE``; fields (``.Role``, ``$.Messages``, ``(index .Messages 0).Role``); string and
integer literals; the built-ins ``eq ne and or not len slice index`` with Go's semantics (``and``/``or``
short-circuit and return the deciding value, ``eq a b c`` is ``a==b or a==c``, truth is "non-zero/non-empty").
Anything else raises, so a template using more than this cannot pass a test by accident.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

# An action ends at the first "}}" outside a string literal (Go's lexer reads strings inside actions).
_ACTION = re.compile(r'\{\{(-\s)?((?:"(?:[^"\\]|\\.)*"|`[^`]*`|[^"`])*?)(\s-)?\}\}', re.S)
_TOKEN = re.compile(r'\s*(?:(?P<str>"(?:[^"\\]|\\.)*")|(?P<raw>`[^`]*`)|(?P<num>-?\d+)|(?P<op>:=|[(),])'
                    r"|(?P<word>\$?[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*|\$(?:\.[A-Za-z_]\w*)*|\.(?:[A-Za-z_]\w*"
                    r"(?:\.[A-Za-z_]\w*)*)?)|(?P<field>(?<=\))\.[A-Za-z_]\w*))")


class GoTemplateError(ValueError):
    """The template uses something this renderer does not know."""


@dataclass
class Node:
    kind: str  # text | out | assign | if | range
    text: str = ""
    tokens: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    body: list[Node] = field(default_factory=list)
    orelse: list[Node] = field(default_factory=list)


def _tokens(source: str) -> list[str]:
    out, pos = [], 0
    source = source.strip()
    while pos < len(source):
        m = _TOKEN.match(source, pos)
        if not m or m.end() == pos:
            raise GoTemplateError(f"cannot read {source[pos:]!r}")
        out.append(m.group().strip())
        pos = m.end()
    return out


def _lex(template: str) -> list[tuple[str, str]]:
    pieces: list[tuple[str, str]] = []
    pos, trim_next = 0, False
    for m in _ACTION.finditer(template):
        text = template[pos:m.start()]
        if trim_next:
            text = text.lstrip(" \t\r\n")
        if m.group(1):
            text = text.rstrip(" \t\r\n")
        pieces.append(("text", text))
        pieces.append(("action", m.group(2)))
        trim_next, pos = bool(m.group(3)), m.end()
    tail = template[pos:]
    pieces.append(("text", tail.lstrip(" \t\r\n") if trim_next else tail))
    return pieces


def parse(template: str) -> list[Node]:
    pieces = _lex(template)
    root: list[Node] = []
    stack: list[tuple[Node, list[Node]]] = []  # (open block, list being filled)
    current = root
    for kind, value in pieces:
        if kind == "text":
            if value:
                current.append(Node("text", text=value))
            continue
        toks = _tokens(value)
        head = toks[0] if toks else ""
        if head == "end":
            if not stack:
                raise GoTemplateError("{{ end }} without a block")
            stack.pop()  # an if/else-if chain is one entry: its last link replaced the first
            current = stack[-1][1] if stack else root
        elif head == "if":
            node = Node("if", tokens=toks[1:])
            current.append(node)
            stack.append((node, node.body))
            current = node.body
        elif head == "else":
            block = stack[-1][0] if stack else None
            if block is None or block.kind != "if":
                raise GoTemplateError("{{ else }} outside an if")
            if len(toks) > 1 and toks[1] == "if":
                node = Node("if", tokens=toks[2:])
                block.orelse.append(node)
                stack[-1] = (node, node.body)
                current = node.body
            else:
                stack[-1] = (block, block.orelse)
                current = block.orelse
        elif head == "range":
            rest = toks[1:]
            names: list[str] = []
            if ":=" in rest:
                split = rest.index(":=")
                names = [t for t in rest[:split] if t != ","]
                rest = rest[split + 1:]
            node = Node("range", tokens=rest, names=names)
            current.append(node)
            stack.append((node, node.body))
            current = node.body
        elif len(toks) > 2 and toks[1] == ":=":
            current.append(Node("assign", tokens=toks[2:], names=[toks[0]]))
        else:
            current.append(Node("out", tokens=toks))
    if stack:
        raise GoTemplateError("missing {{ end }}")
    return root


def _truth(value) -> bool:
    return bool(value) if value is not None else False


def _field(value, name: str):
    if isinstance(value, dict) and name in value:
        return value[name]
    raise GoTemplateError(f"no field {name} in {type(value).__name__}")


class _Eval:
    def __init__(self, root: dict) -> None:
        self.root = root

    def operand(self, tokens: list[str], pos: int, dot, scope: dict):
        tok = tokens[pos]
        if tok == "(":
            depth, end = 1, pos + 1
            while depth:
                depth += {"(": 1, ")": -1}.get(tokens[end], 0)
                end += 1
            value = self.pipeline(tokens[pos + 1:end - 1], dot, scope)
            while end < len(tokens) and tokens[end].startswith(".") and tokens[end] != ".":
                value = _field(value, tokens[end][1:])
                end += 1
            return value, end
        if tok.startswith('"'):
            return json.loads(tok), pos + 1
        if tok.startswith("`"):
            return tok[1:-1], pos + 1
        if tok in ("true", "false", "nil"):
            return {"true": True, "false": False, "nil": None}[tok], pos + 1
        if re.fullmatch(r"-?\d+", tok):
            return int(tok), pos + 1
        if tok.startswith("$"):
            head, *fields = tok.split(".")
            value = self.root if head == "$" else scope[head]
        elif tok.startswith("."):
            value, fields = dot, [f for f in tok.split(".") if f]
        else:
            raise GoTemplateError(f"unknown operand {tok!r}")
        for name in fields:
            value = _field(value, name)
        return value, pos + 1

    def pipeline(self, tokens: list[str], dot, scope: dict):
        if not tokens:
            raise GoTemplateError("empty pipeline")
        fn = tokens[0]
        if fn in {"eq", "ne", "and", "or", "not", "len", "slice", "index"}:
            args_tokens, pos = tokens, 1
            if fn in ("and", "or"):
                value = None
                while pos < len(args_tokens):
                    value, pos = self.operand(args_tokens, pos, dot, scope)
                    if _truth(value) == (fn == "or"):
                        return value
                return value
            args = []
            while pos < len(args_tokens):
                value, pos = self.operand(args_tokens, pos, dot, scope)
                args.append(value)
            if fn == "eq":
                return any(args[0] == other for other in args[1:])
            if fn == "ne":
                return args[0] != args[1]
            if fn == "not":
                return not _truth(args[0])
            if fn == "len":
                return len(args[0])
            if fn == "index":
                value = args[0]
                for i in args[1:]:
                    value = value[i]
                return value
            if fn == "slice":
                return args[0][args[1]:args[2]] if len(args) > 2 else args[0][args[1]:]
        value, pos = self.operand(tokens, 0, dot, scope)
        if pos != len(tokens):
            raise GoTemplateError(f"unknown function in {tokens!r}")
        return value

    def run(self, nodes: list[Node], dot, scope: dict, out: list[str]) -> None:
        for node in nodes:
            if node.kind == "text":
                out.append(node.text)
            elif node.kind == "out":
                value = self.pipeline(node.tokens, dot, scope)
                out.append("" if value is None else str(value))
            elif node.kind == "assign":
                scope[node.names[0]] = self.pipeline(node.tokens, dot, scope)
            elif node.kind == "if":
                branch = node.body if _truth(self.pipeline(node.tokens, dot, scope)) else node.orelse
                self.run(branch, dot, dict(scope), out)
            elif node.kind == "range":
                items = self.pipeline(node.tokens, dot, scope)
                for index, item in enumerate(items or []):
                    inner = dict(scope)
                    if len(node.names) == 2:
                        inner[node.names[0]], inner[node.names[1]] = index, item
                    elif len(node.names) == 1:
                        inner[node.names[0]] = item
                    self.run(node.body, item, inner, out)


def render(template: str, data: dict) -> str:
    """Render ``template`` with ``data`` as dot (and ``$``)."""
    out: list[str] = []
    _Eval(data).run(parse(template), data, {}, out)
    return "".join(out)
