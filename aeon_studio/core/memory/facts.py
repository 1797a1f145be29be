"""Recognising "remember that …" in the user's message (Portuguese and English)."""

from __future__ import annotations

import re

_PATTERNS = [
    # pt: "lembre que …", "lembre-se de que …", "lembra que …", "por favor, anote que …", "guarde isto: …"
    re.compile(r"^(?:por\s+favor[,\s]+)?(?:lembr(?:e|a)(?:-se|\s+se)?|memorize|anote|guarde|não\s+esqueça)"
               r"(?:\s+(?:disso|disto|isso|isto))?(?:\s+(?:de|d[oa]))?(?:\s+que)?\s*[:,]?\s+(?P<fact>.+)$",
               re.IGNORECASE | re.DOTALL),
    # en: "remember that …", "please remember: …", "note that …", "keep in mind that …", "don't forget that …"
    re.compile(r"^(?:please[,\s]+)?(?:remember|note|keep\s+in\s+mind|don'?t\s+forget|do\s+not\s+forget)"
               r"(?:\s+(?:this|that))?\s*[:,]?\s+(?P<fact>.+)$", re.IGNORECASE | re.DOTALL),
]
_NOT_A_FACT = re.compile(r"^(?:when|what|who|where|how|if|me|you|do|did|quando|o\s+que|quem|onde|como|se)\b",
                         re.IGNORECASE)


def extract_fact(text: str) -> str | None:
    """The fact the user asks to be remembered, or None. Questions ("remember when …?") are not facts."""
    text = (text or "").strip()
    if not text or text.endswith("?"):
        return None
    for pattern in _PATTERNS:
        m = pattern.match(text)
        if m:
            fact = m.group("fact").strip().strip("\"'“”").strip()
            if len(fact.split()) < 2 or _NOT_A_FACT.match(fact):
                return None
            return fact[0].upper() + fact[1:]
    return None
