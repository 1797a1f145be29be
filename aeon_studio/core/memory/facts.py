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


#: First-person statements about the user worth keeping without being asked ("my name is …", "moro em …").
#: Conservative on purpose: a wrong "fact" is worse than a missed one (the exchange is stored anyway).
_STATEMENT = re.compile(
    r"^(?:"
    r"(?:my|our)\s+(?:[\w'-]+\s+){0,3}(?:is|are|was|were)\s"
    r"|i(?:'m|\s+am)\s+(?:allergic|a\s|an\s|from\s|married|vegetarian|vegan|learning|working|studying)"
    r"|i\s+(?:live|work|study|prefer|love|like|hate|have|own|was\s+born|use)\s"
    r"|(?:meu|minha|meus|minhas|nosso|nossa)\s+(?:[\w'-]+\s+){0,3}(?:é|são|foi|era|se\s+chama|chama)\s"
    r"|(?:eu\s+)?(?:moro|trabalho|estudo|prefiro|adoro|gosto|odeio|tenho|nasci|uso)\s"
    r"|(?:eu\s+)?sou\s+(?:alérgic[oa]|de\s|d[oa]\s|casad[oa]|vegetarian[oa]|vegan[oa]|um\s|uma\s)"
    r")", re.IGNORECASE)
_SENTENCES = re.compile(r"(?<=[.!;])\s+|\n+")


def extract_statements(text: str, *, limit: int = 3) -> list[str]:
    """Sentences of the user's message that state something about the user (at most ``limit``).

    Questions, very short or very long sentences are skipped."""
    out: list[str] = []
    for sentence in _SENTENCES.split((text or "").strip()):
        s = sentence.strip().strip("\"'“”").strip().rstrip(";:,").strip()
        if not s or s.endswith("?") or not 3 <= len(s.split()) <= 40:
            continue
        if _STATEMENT.match(s):
            s = s[0].upper() + s[1:]
            out.append(s if s[-1] in ".!" else s + ".")
            if len(out) >= limit:
                break
    return out
