"""Conversation domains (technical, support, legal, general and the user's own) and a fast, explainable classifier.

One keyword source for the whole app: the keywords are the dataset store's (:func:`.datasets.clean.load_domains`,
the same lists that tag examples on import), matched by the same :class:`.datasets.clean.DomainTagger` on the same
:func:`.datasets.clean.text_keys` bytes, so a chat message and an imported conversation land in the same domain.
``domains set --keywords`` writes ``<home>/datasets/domains.json``, the file that tagger reads.

Example messages (``<home>/domains.json``, versioned, written atomically) add a second, softer signal: the
message's content words (:func:`.memory.lexical.word_terms`: Snowball stems, pt + en, diacritics removed)
against each example's; the nearest example's word overlap (Dice, 0-1, from 0.2 up) is added to its domain's keyword count. Keywords therefore decide, an
example breaks ties and catches messages with no keyword. No embedding model is loaded: a message is classified in
well under a millisecond (``bench/domains.py``), and the result says which keywords and which example decided it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .datasets.clean import DEFAULT_DOMAINS, DOMAIN_BYTES, DomainTagger, load_domains, text_keys
from .errors import NotFoundError, ValidationError
from .i18n import _

#: Version of ``domains.json``; a newer file is refused rather than misread.
FILE_VERSION = 1
#: The domain of a message that matches no keyword and no example.
GENERAL = "general"
#: The built-in domains, in the order lists show them.
BUILTIN_DOMAINS = (*DEFAULT_DOMAINS, GENERAL)
#: An example counts from this share of shared stems (fewer is chance: "preciso de ajuda" vs any request).
MIN_SIMILARITY = 0.2
_NAME = re.compile(r"[a-z][a-z0-9_-]{0,29}")


@dataclass
class Domain:
    """One domain: its keywords (the dataset tagger's) and example messages."""

    name: str
    keywords: list[str] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)
    builtin: bool = False


@dataclass
class Classification:
    """Why a message got its domain.

    Attributes:
        domain: the winning domain (``general`` when nothing matched).
        keywords: the keywords found in the message, per domain.
        nearest: the closest example per domain that counted, ``{domain: (example, similarity)}``.
        scores: keyword count + nearest example's similarity, per domain with any signal.
    """

    domain: str
    keywords: dict[str, list[str]] = field(default_factory=dict)
    nearest: dict[str, tuple[str, float]] = field(default_factory=dict)
    scores: dict[str, float] = field(default_factory=dict)

    def explain(self) -> str:
        """One line for people: what decided the domain."""
        kws = self.keywords.get(self.domain)
        near = self.nearest.get(self.domain)
        if kws and near:
            return _("keywords {words}; nearest example “{example}” ({similarity:.0%})").format(
                words=", ".join(kws), example=near[0], similarity=near[1])
        if kws:
            return _("keywords {words}").format(words=", ".join(kws))
        if near:
            return _("nearest example “{example}” ({similarity:.0%})").format(example=near[0], similarity=near[1])
        return _("no keyword or example matched")

    def as_dict(self) -> dict[str, Any]:
        return {"domain": self.domain, "keywords": self.keywords,
                "nearest": {d: {"example": e, "similarity": round(s, 3)} for d, (e, s) in self.nearest.items()},
                "scores": {d: round(s, 3) for d, s in self.scores.items()}, "explanation": self.explain()}


def domains_file() -> Path:
    from .settings import get_settings

    return get_settings().home / "domains.json"


def keywords_file() -> Path:
    """The dataset store's keyword file (see :func:`.datasets.clean.load_domains`)."""
    from .settings import get_settings

    return get_settings().datasets_dir / "domains.json"


def _read_examples(path: Path | None = None) -> dict[str, list[str]]:
    p = path or domains_file()
    if not p.exists():
        return {}
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValidationError(_("{path}: cannot read the domain examples: {error}").format(path=p, error=exc),
                              hint=_("Fix or delete the file; 'aeon-studio domains set' writes it again.")) from exc
    if not isinstance(data, dict) or data.get("version", 0) > FILE_VERSION:
        raise ValidationError(_("{path} was written by a newer Aeon Studio (or is not a domains file).").format(
            path=p), hint=_("Update Aeon Studio, or move the file away."))
    ex = data.get("examples", {})
    if not isinstance(ex, dict) or not all(isinstance(v, list) and all(isinstance(s, str) for s in v)
                                           for v in ex.values()):
        raise ValidationError(_("{path}, field 'examples': each domain must map to a list of messages.").format(
            path=p), hint=_("Fix or delete the file; 'aeon-studio domains set' writes it again."))
    return {str(k): list(v) for k, v in ex.items()}


def _atomic_write(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    tmp.replace(path)


def list_domains() -> list[Domain]:
    """Every domain: the built-ins first, then the user's own (by name)."""
    keywords = load_domains()
    examples = _read_examples()
    names = list(BUILTIN_DOMAINS) + sorted((set(keywords) | set(examples)) - set(BUILTIN_DOMAINS))
    return [Domain(n, list(keywords.get(n, ())), list(examples.get(n, [])), n in BUILTIN_DOMAINS) for n in names]


def domain_label(name: str) -> str:
    """A domain as shown to people: the built-ins translated, the user's own as typed."""
    from .datasets.records import DOMAIN_LABELS

    return _(DOMAIN_LABELS[name]) if name in DOMAIN_LABELS else name


def domain_names() -> list[str]:
    return [d.name for d in list_domains()]


def get_domain(name: str) -> Domain:
    """The domain called ``name``.

    Raises:
        NotFoundError: no such domain (the message lists the known ones).
    """
    for d in list_domains():
        if d.name == name:
            return d
    raise NotFoundError(_("No domain called '{name}'.").format(name=name),
                        hint=_("Known domains: {names}. Create one with 'aeon-studio domains set NAME --keywords "
                               "…'.").format(names=", ".join(domain_names())))


def check_domain(name: str) -> str:
    """``name`` when it is a known domain; :class:`NotFoundError` otherwise."""
    return get_domain(name).name


def _clean_list(values: list[str]) -> list[str]:
    out = list(dict.fromkeys(v.strip() for v in values if v.strip()))
    for v in out:
        if len(v) > 500:
            raise ValidationError(_("“{start}…” is longer than 500 characters.").format(start=v[:40]),
                                  hint=_("Shorten it."))
    return out


def set_domain(name: str, *, keywords: list[str] | None = None, examples: list[str] | None = None,
               remove: bool = False) -> Domain | None:
    """Create or change a domain (None: removed). Both files are checked before either is written.

    Args:
        name: lower-case letters, digits, '-' or '_'.
        keywords: the domain's keywords (replacing the old ones); None keeps them.
        examples: example messages (replacing the old ones); None keeps them.
        remove: delete a domain of the user's (built-ins cannot be removed; set empty lists instead).

    Raises:
        ValidationError: a bad name, keywords for ``general``, removing a built-in, or keywords that live in
            ``settings.json`` (edit them there).
    """
    from .settings import Settings, get_settings

    if not _NAME.fullmatch(name):
        raise ValidationError(_("'{name}' is not a valid domain name.").format(name=name),
                              hint=_("Use 1-30 lowercase letters, digits, '-' or '_', starting with a letter."))
    if remove and name in BUILTIN_DOMAINS:
        raise ValidationError(_("'{name}' is a built-in domain and cannot be removed.").format(name=name),
                              hint=_("Clear its keywords and examples instead."))
    if remove:
        get_domain(name)
    if name == GENERAL and keywords:
        raise ValidationError(_("'general' is what matches no other domain; it takes examples but no keywords."),
                              hint=_("Give the keywords to another domain."))
    kw = dict(load_domains())
    if keywords is not None or remove:
        settings = get_settings()
        if Settings._file_values(settings.home).get("dataset_domains") is not None:
            raise ValidationError(_("The domain keywords are set in {path} (field 'dataset_domains').").format(
                path=settings.settings_file), hint=_("Edit them there, or remove that field to edit them here."))
    ex = _read_examples()
    if remove:
        kw.pop(name, None)
        ex.pop(name, None)
    else:
        if keywords is not None:
            kw[name] = tuple(k.lower() for k in _clean_list(keywords))
        if examples is not None:
            ex[name] = _clean_list(examples)
        if not kw.get(name) and not ex.get(name) and name not in BUILTIN_DOMAINS:
            raise ValidationError(_("A domain of your own needs keywords or examples."),
                                  hint=_("Add --keywords WORD… or --examples MESSAGE… (or --remove it)."))
    if keywords is not None or remove:
        _atomic_write(keywords_file(), {k: list(v) for k, v in kw.items() if k != GENERAL})
    if examples is not None or remove:
        _atomic_write(domains_file(), {"version": FILE_VERSION, "examples": {k: v for k, v in ex.items() if v}})
    _CACHE.clear()
    return None if remove else get_domain(name)


class DomainClassifier:
    """Classifies messages; build it once (keywords compiled, example stems made) and call :meth:`classify`."""

    def __init__(self, keywords: dict[str, tuple[str, ...]] | None = None,
                 examples: dict[str, list[str]] | None = None) -> None:
        from .memory.lexical import word_terms

        self.keywords = dict(load_domains() if keywords is None else keywords)
        self.tagger = DomainTagger(self.keywords)
        self._word_terms = word_terms
        ex = _read_examples() if examples is None else examples
        # Per example: its content words, each as the set of its stems (pt + en, with and without accents).
        self.examples = [(d, e, [frozenset(ts) for _w, ts in word_terms(e)]) for d, es in ex.items() for e in es]
        self.examples = [x for x in self.examples if x[2]]

    def classify(self, text: str) -> Classification:
        """The domain of ``text`` and what decided it (see the module docstring)."""
        words = text_keys(text)[0][:DOMAIN_BYTES]
        split = set(words.split())
        found: dict[str, list[str]] = {}
        scores: dict[str, float] = {}
        for name, kws in self.tagger.sets:
            hits = kws & split
            if hits:
                found[name] = sorted(h.decode() for h in hits)
        for name, phrase in self.tagger.flat_phrases:
            if phrase in words:
                found.setdefault(name, []).append(phrase.decode())
        for name, hits in found.items():
            scores[name] = float(len(hits))
        nearest: dict[str, tuple[str, float]] = {}
        if self.examples:
            mine_words = self._word_terms(text[:DOMAIN_BYTES * 2])
            mine = {t for _w, ts in mine_words for t in ts}
            if mine:
                for name, example, ex_words in self.examples:
                    # Dice over words: a word is shared when any of its stems is (one word, several stems).
                    shared = sum(1 for ts in ex_words if not mine.isdisjoint(ts))
                    sim = 2 * shared / (len(ex_words) + len(mine_words))
                    if sim >= MIN_SIMILARITY and sim > nearest.get(name, ("", 0.0))[1]:
                        nearest[name] = (example, sim)
        for name, (_e, sim) in nearest.items():
            scores[name] = scores.get(name, 0.0) + sim
        # Ties go to the first domain in keyword order, as the dataset tagger does.
        order = {n: i for i, n in enumerate([*self.keywords, *nearest])}
        best = min(scores, key=lambda n: (-scores[n], order.get(n, 99))) if scores else GENERAL
        return Classification(best, found, nearest, scores)


_CACHE: dict[str, DomainClassifier] = {}


def classifier() -> DomainClassifier:
    """The classifier for the current home's keywords and examples (rebuilt after :func:`set_domain`)."""
    from .settings import get_settings

    def mtime(p: Path) -> int:
        try:
            return p.stat().st_mtime_ns
        except OSError:
            return 0

    # Keyed by the files' times too: another process (the CLI) may have changed them.
    settings = get_settings()
    key = f"{settings.home}:{mtime(domains_file())}:{mtime(keywords_file())}:{mtime(settings.settings_file)}"
    c = _CACHE.get(key)
    if c is None:
        _CACHE.clear()
        c = _CACHE[key] = DomainClassifier()
    return c


def classify(text: str) -> Classification:
    """The domain of ``text`` with the app's keywords and examples."""
    if not text or not text.strip():
        raise ValidationError(_("There is no text to classify."), hint=_("Give a message, e.g. “my code crashes”."))
    return classifier().classify(text)
