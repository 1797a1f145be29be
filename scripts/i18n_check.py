"""List user-visible strings (``_("…")`` / ``N_("…")``) without a pt_BR translation.

Run: .venv/bin/python scripts/i18n_check.py [--lang pt_BR] [--files PATH...]
Exit code 1 when any string is missing, so it can gate a release.
"""

from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from aeon_studio.core.i18n import TRANSLATIONS_DIR, parse_po  # noqa: E402


def strings_in(path: Path) -> list[tuple[int, str]]:
    out = []
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("_", "N_")
                and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            out.append((node.lineno, node.args[0].value))
    return out


def catalogue(lang: str) -> dict[str, str]:
    merged: dict[str, str] = {}
    for po in sorted((TRANSLATIONS_DIR / lang).glob("*.po")):
        merged.update(parse_po(po.read_text(encoding="utf-8")))
    return merged


def missing(lang: str = "pt_BR", files: list[Path] | None = None) -> list[tuple[Path, int, str]]:
    cat = catalogue(lang)
    files = [f.resolve() for f in files] if files else sorted((ROOT / "aeon_studio").rglob("*.py"))
    return [(f, line, s) for f in files for line, s in strings_in(f) if s not in cat]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--lang", default="pt_BR")
    ap.add_argument("--files", nargs="*", type=Path)
    ap.add_argument("--po", action="store_true", help="print the missing strings as .po entries")
    args = ap.parse_args()
    rows = missing(args.lang, args.files)
    seen = set()
    for f, line, s in rows:
        if args.po:
            if s not in seen:
                seen.add(s)
                print(f"#: {f.relative_to(ROOT)}:{line}\nmsgid {s!r}\nmsgstr \"\"\n".replace("msgid '", 'msgid "')
                      .replace("'\nmsgstr", '"\nmsgstr'))
        else:
            print(f"{f.relative_to(ROOT)}:{line}: {s!r}")
    total = sum(len(strings_in(f)) for f in (args.files or sorted((ROOT / "aeon_studio").rglob("*.py"))))
    print(f"{len(rows)} of {total} strings lack a {args.lang} translation", file=sys.stderr)
    return 1 if rows else 0


if __name__ == "__main__":
    sys.exit(main())
