"""Blind A/B arena: two models answer one prompt, the user votes without knowing which is which.

:func:`ask` resolves two model references (``"base"``, ``"active"`` or an adapter id), lets each answer the
prompt through llama.cpp with the persona's system prompt and the same sampling (one seed for both, so the
models are the only difference), shuffles the replies into A and B and stores an :class:`ArenaMatch`.
:func:`vote` records the choice once and reveals; a vote for A over B (or B over A) is also a DPO
preference pair in the dataset ``arena-<persona>``, written in the same transaction as the vote.
:func:`stats` ranks the models with a Bradley–Terry fit and a 95 % interval.
"""

from __future__ import annotations

import math
import random
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import col, select

from ..errors import AeonError, NotFoundError, ValidationError
from ..i18n import _
from ..settings import get_settings
from ..storage import Database, get_database
from ..storage.evaluation_tables import ArenaMatch
from ..storage.tables import utcnow

CHOICES = ("a", "b", "tie", "both-bad")
#: Statuses of adapters that can answer in the arena (a rejected one failed its llama.cpp checks).
ANSWERING = ("ready", "active", "not-promoted")


class ArenaCancelled(AeonError):
    """The user stopped :func:`ask` before both replies were written (nothing was stored)."""


@dataclass(frozen=True)
class Contender:
    """One side of a match: what is stored (``ref``: ``"base"`` or an adapter id) and how it is loaded."""

    ref: str
    model_id: str
    lora: Path | None = None


def arena_dataset(persona_key: str | None) -> str:
    """The dataset that collects the persona's arena preference pairs."""
    return f"arena-{persona_key or get_settings().default_persona}"


def _persona(persona_key: str | None, db: Database):
    from ..personas import PersonaStore

    return PersonaStore(db).get(persona_key or get_settings().default_persona)


def _adapter(ref: str, db: Database):
    from ..export.adapters import get_adapter

    info = get_adapter(ref, db)  # NotFoundError naming the id and where to look
    if info.status not in ANSWERING:
        raise ValidationError(_("Adapter '{id}' is {status} and cannot answer.").format(id=ref, status=info.status),
                              hint=_("Pick another version, or the base model."))
    return info


def resolve(a: str, b: str, persona_key: str | None, db: Database) -> tuple[Contender, Contender]:
    """The two contenders for model references ``a`` and ``b``.

    ``"active"`` becomes the persona's bound adapter (or ``"base"``), so a vote stays with the version that
    answered even after the persona moves on. ``"base"`` is the base model of the adapter on the other side
    (like for like), else the default model.

    Raises:
        NotFoundError: an adapter id that does not exist.
        ValidationError: an adapter that cannot answer, or both references naming the same model.
    """
    refs = []
    for ref in (a, b):
        ref = (ref or "").strip()
        if ref == "active":
            ref = _persona(persona_key, db).adapter_id or "base"
        refs.append(ref or "base")
    adapters = {ref: _adapter(ref, db) for ref in refs if ref != "base"}
    if refs[0] == refs[1]:
        raise ValidationError(_("Both sides are the same model ({model}); nothing to compare.").format(
            model=refs[0]),
            hint=_("Pick two different models: 'base', 'active' or an adapter id ('active' is the persona's bound "
                   "adapter, or the base model when it has none)."))
    base_id = next((info.base_model_id for info in adapters.values()), get_settings().default_model)

    def contender(ref: str) -> Contender:
        if ref == "base":
            return Contender("base", base_id)
        from ..export.adapters import lora_gguf

        return Contender(ref, adapters[ref].base_model_id, lora_gguf(ref, db=db))

    return contender(refs[0]), contender(refs[1])


def _generate(side: Contender, messages: list[dict], params, db: Database,
              should_stop: Callable[[], bool] | None) -> str:
    from ..chat.engine import get_engine
    from ..models.registry import ModelRegistry

    models = ModelRegistry(db)
    info = models.get(side.model_id)
    engine = get_engine(models.resolve_path(side.model_id), lora_path=side.lora, chat_format=info.chat_format)
    stream = engine.stream(messages, params)
    for _piece in stream:
        if should_stop is not None and should_stop():
            stream.cancel()
    if stream.cancelled:
        raise ArenaCancelled(_("Stopped; the comparison was not stored."))
    return stream.text.strip()


def _new_id(db: Database) -> str:
    with db.session() as s:
        while True:
            match_id = secrets.token_hex(3)  # six characters: short enough to type in the CLI
            if s.get(ArenaMatch, match_id) is None:
                return match_id


def ask(prompt: str, a: str, b: str, *, persona_key: str | None, db: Database | None = None,
        seed: int | None = None, greedy: bool = False,
        should_stop: Callable[[], bool] | None = None) -> ArenaMatch:
    """Both models answer ``prompt``; the replies are stored as A and B in random order.

    Args:
        prompt: The user's question.
        a: The first model reference (``"base"``, ``"active"`` or an adapter id).
        b: The second model reference.
        persona_key: Whose system prompt, sampling and arena dataset (None: the default persona).
        db: The database; the app's default when None.
        seed: Fixes the A/B order and the sampling seed (random when None).
        greedy: Temperature 0 on both sides (each model's single most likely reply).
        should_stop: Polled while generating; when it returns True, :class:`ArenaCancelled` is raised.

    Returns:
        The stored match. Which model wrote which reply is in ``model_a``/``model_b``: callers show only
        the replies until :func:`vote` reveals them.
    """
    from ..chat.service import ChatService

    db = db or get_database()
    prompt = (prompt or "").strip()
    if not prompt:
        raise ValidationError(_("The prompt is empty; nothing to compare."),
                              hint=_("Type the question both models should answer."))
    persona = _persona(persona_key, db)
    first, second = resolve(a, b, persona.key, db)
    rng: random.Random = random.Random(seed) if seed is not None else random.SystemRandom()
    params = ChatService.params_for(persona, seed if seed is not None else rng.randrange(2**31))
    if greedy:
        params.temperature = 0.0
    messages = ([{"role": "system", "content": persona.system_prompt}] if persona.system_prompt else [])
    messages.append({"role": "user", "content": prompt})
    replies = {side.ref: _generate(side, messages, params, db, should_stop) for side in (first, second)}
    shown = [first, second]
    rng.shuffle(shown)
    match = ArenaMatch(id=_new_id(db), persona_key=persona.key, prompt=prompt, model_a=shown[0].ref,
                       model_b=shown[1].ref, reply_a=replies[shown[0].ref], reply_b=replies[shown[1].ref])
    with db.session() as s:
        s.add(match)
    db.changes.emit("arena")
    return match


def get_match(match_id: str, db: Database | None = None) -> ArenaMatch:
    """One match by id (:class:`NotFoundError` when unknown)."""
    db = db or get_database()
    with db.session() as s:
        match = s.get(ArenaMatch, (match_id or "").strip())
    if match is None:
        raise NotFoundError(_("No arena match called '{id}'.").format(id=match_id),
                            hint=_("Use the id that 'aeon-studio arena ask' printed."))
    return match


def _store_pair(s, match: ArenaMatch) -> None:
    """The DPO pair of a decided vote, in the open session ``s`` (same transaction as the vote)."""
    from ..datasets.records import content_hash
    from ..storage.datasets_tables import Dataset, PreferencePair

    name = arena_dataset(match.persona_key)
    dataset = s.exec(select(Dataset).where(Dataset.name == name)).first()
    if dataset is None:
        dataset = Dataset(name=name, kind="arena", description=_("Preferences from blind A/B votes"))
        s.add(dataset)
        s.flush()
    chosen, rejected = (match.reply_a, match.reply_b) if match.vote == "a" else (match.reply_b, match.reply_a)
    prompt = [{"role": "user", "content": match.prompt}]
    h = content_hash(prompt + [{"role": "chosen", "content": chosen}, {"role": "rejected", "content": rejected}])
    known = s.exec(select(PreferencePair.id).where(PreferencePair.dataset_id == dataset.id,
                                                   PreferencePair.content_hash == h)).first()
    if known is None:  # the same pair voted twice in two matches counts once
        s.add(PreferencePair(dataset_id=dataset.id, prompt=prompt, chosen=chosen, rejected=rejected,
                             reason="arena", source_ref=f"arena:{match.id}", content_hash=h))
    dataset.updated_at = utcnow()
    s.add(dataset)


def vote(match_id: str, choice: str, db: Database | None = None) -> ArenaMatch:
    """Record the user's vote on a match and return it, now revealing ``model_a`` and ``model_b``.

    Args:
        match_id: The id :func:`ask` returned.
        choice: ``"a"``, ``"b"``, ``"tie"`` or ``"both-bad"``.
        db: The database; the app's default when None.

    Raises:
        ValidationError: an unknown choice, or a match that already has its vote (nothing is changed).
        NotFoundError: no match with this id.
    """
    db = db or get_database()
    choice = (choice or "").strip().lower().replace("_", "-")
    if choice not in CHOICES:
        raise ValidationError(_("'{choice}' is not a vote.").format(choice=choice),
                              hint=_("Vote a, b, tie or both-bad."))
    get_match(match_id, db)  # the clear "unknown id" error before anything is written
    with db.session() as s:
        match = s.get(ArenaMatch, match_id.strip())
        if match.vote is not None:
            raise ValidationError(
                _("Arena match '{id}' already has a vote ({vote}); a match takes one vote.").format(
                    id=match.id, vote=match.vote),
                hint=_("Ask a new comparison with 'aeon-studio arena ask'."))
        match.vote, match.voted_at = choice, utcnow()
        s.add(match)
        if choice in ("a", "b"):
            _store_pair(s, match)
    db.changes.emit("arena")
    if choice in ("a", "b"):
        db.changes.emit("datasets")
    return match


def winner(match: ArenaMatch) -> str | None:
    """The model the vote preferred, or None for a tie, both bad or no vote yet."""
    return {"a": match.model_a, "b": match.model_b}.get(match.vote or "")


@dataclass(frozen=True)
class Standing:
    """A model's arena record. ``score`` is on the Elo scale (1000 = average, +400 = 10:1 odds of winning),
    ``low``/``high`` its 95 % interval; ``win_rate`` counts a tie as half a win (None before any decided vote)."""

    model: str
    matches: int
    wins: int
    losses: int
    ties: int
    both_bad: int
    win_rate: float | None
    score: float
    low: float
    high: float

    def as_dict(self) -> dict:
        return dict(self.__dict__)


#: Elo points per unit of Bradley–Terry log-strength.
ELO_PER_NAT = 400 / math.log(10)
#: Prior standard deviation of a log-strength: keeps unbeaten models finite and the intervals honest.
PRIOR_SD = 1.5


@dataclass
class _Record:
    wins: int = 0
    losses: int = 0
    ties: int = 0
    both_bad: int = 0


def bradley_terry(games: list[tuple[str, str, float]], models: list[str]) -> dict[str, tuple[float, float]]:
    """Log-strengths and their standard errors from ``(i, j, s)`` games (s: 1 i won, 0.5 tie, 0 j won).

    A maximum a-posteriori fit (Gaussian prior, sd :data:`PRIOR_SD`) by Newton's method; the errors come
    from the inverse of the negative Hessian at the optimum (the Laplace approximation), for each strength
    relative to the mean of all of them (which is 0).
    """
    import numpy as np

    index = {m: k for k, m in enumerate(models)}
    n = len(models)
    theta = np.zeros(n)
    hessian = -np.eye(n) / PRIOR_SD**2
    for _iteration in range(100):
        grad = -theta / PRIOR_SD**2
        hessian = -np.eye(n) / PRIOR_SD**2
        for i_name, j_name, s in games:
            i, j = index[i_name], index[j_name]
            p = 1.0 / (1.0 + math.exp(theta[j] - theta[i]))
            grad[i] += s - p
            grad[j] -= s - p
            w = p * (1.0 - p)
            hessian[i, i] -= w
            hessian[j, j] -= w
            hessian[i, j] += w
            hessian[j, i] += w
        step = np.linalg.solve(hessian, grad)
        theta = theta - np.clip(step, -3.0, 3.0)
        if float(np.max(np.abs(step), initial=0.0)) < 1e-9:
            break
    # Only differences of strengths are identified: the errors are those of each strength relative to the
    # mean of all (centred), so a common shift that no vote can see does not widen every interval.
    centre = np.eye(n) - np.full((n, n), 1.0 / n)
    cov = centre @ np.linalg.inv(-hessian) @ centre.T
    theta = theta - theta.mean()
    return {m: (float(theta[k]), float(math.sqrt(max(cov[k, k], 0.0)))) for m, k in index.items()}


def stats(db: Database | None = None, persona_key: str | None = None) -> list[Standing]:
    """Every model that took part in a voted match (of ``persona_key``, or of all personas), best first."""
    db = db or get_database()
    with db.session() as s:
        q = select(ArenaMatch).where(col(ArenaMatch.vote).is_not(None))
        if persona_key:
            q = q.where(ArenaMatch.persona_key == persona_key)
        matches = list(s.exec(q.order_by(ArenaMatch.created_at)).all())
    records: dict[str, _Record] = {}
    games: list[tuple[str, str, float]] = []
    for m in matches:
        ra, rb = records.setdefault(m.model_a, _Record()), records.setdefault(m.model_b, _Record())
        if m.vote == "both-bad":  # says nothing about which is better: counted, not ranked
            ra.both_bad += 1
            rb.both_bad += 1
            continue
        s_a = {"a": 1.0, "b": 0.0, "tie": 0.5}[m.vote]
        games.append((m.model_a, m.model_b, s_a))
        for rec, score in ((ra, s_a), (rb, 1.0 - s_a)):
            rec.wins += score == 1.0
            rec.losses += score == 0.0
            rec.ties += score == 0.5
    if not records:
        return []
    fit = bradley_terry(games, sorted(records))
    out = []
    for model, rec in records.items():
        theta, se = fit[model]
        decided = rec.wins + rec.losses + rec.ties
        out.append(Standing(
            model=model, matches=decided + rec.both_bad, wins=rec.wins, losses=rec.losses, ties=rec.ties,
            both_bad=rec.both_bad, win_rate=(rec.wins + rec.ties / 2) / decided if decided else None,
            score=1000 + ELO_PER_NAT * theta, low=1000 + ELO_PER_NAT * (theta - 1.96 * se),
            high=1000 + ELO_PER_NAT * (theta + 1.96 * se)))
    return sorted(out, key=lambda st: (-st.score, st.model))


__all__ = ["ANSWERING", "CHOICES", "ArenaCancelled", "Contender", "Standing", "arena_dataset", "ask",
           "bradley_terry", "get_match", "resolve", "stats", "vote", "winner"]
