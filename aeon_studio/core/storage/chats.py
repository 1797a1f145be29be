"""Repository for conversations, messages, ratings and survey answers."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, func
from sqlmodel import col, select

from ..errors import NotFoundError, ValidationError
from ..i18n import _
from .engine import Database
from .tables import Conversation, Message, Rating, SurveyAnswer, utcnow

LIKERT_RANGE = (1, 5)
USABILITY_RANGE = (1, 7)
NPS_RANGE = (0, 10)


def _check_range(value: object, lo: int, hi: int, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise ValidationError(
            _("{what} must be a whole number from {lo} to {hi}; got {value!r}. Nothing was stored.").format(
                what=what, lo=lo, hi=hi, value=value),
        )
    return value


def nps_score(values: list[int]) -> float | None:
    """Net Promoter Score: % promoters (9–10) − % detractors (0–6), −100..100."""
    if not values:
        return None
    promoters = sum(1 for v in values if v >= 9)
    detractors = sum(1 for v in values if v <= 6)
    return round(100.0 * (promoters - detractors) / len(values), 1)


@dataclass(frozen=True)
class Stats:
    conversations: int
    messages: int
    replies: int
    rated: int
    likert_avg: float | None
    likert_histogram: dict[int, int]
    usability_avg: float | None
    usability_answers: int
    nps: float | None
    nps_answers: int


class ChatStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    # -- conversations ---------------------------------------------------------
    def create_conversation(self, persona_key: str, model_id: str, title: str = "") -> Conversation:
        with self.db.session() as s:
            conv = Conversation(title=title, persona_key=persona_key, model_id=model_id)
            s.add(conv)
            s.flush()
            s.refresh(conv)
            return conv

    def get_conversation(self, conversation_id: int) -> Conversation:
        with self.db.session() as s:
            conv = s.get(Conversation, conversation_id)
        if conv is None:
            raise NotFoundError(_("No conversation with id {id}.").format(id=conversation_id))
        return conv

    def list_conversations(self, search: str = "", limit: int = 500) -> list[Conversation]:
        with self.db.session() as s:
            q = select(Conversation)
            if search.strip():
                like = f"%{search.strip()}%"
                matching = select(Message.conversation_id).where(col(Message.content).ilike(like))
                q = q.where(col(Conversation.title).ilike(like) | col(Conversation.id).in_(matching))
            q = q.order_by(col(Conversation.updated_at).desc()).limit(limit)
            return list(s.exec(q).all())

    def update_conversation(self, conversation_id: int, **changes) -> Conversation:
        with self.db.session() as s:
            conv = s.get(Conversation, conversation_id)
            if conv is None:
                raise NotFoundError(_("No conversation with id {id}.").format(id=conversation_id))
            for k, v in changes.items():
                setattr(conv, k, v)
            conv.updated_at = utcnow()
            s.add(conv)
            s.flush()
            s.refresh(conv)
            return conv

    def rename_conversation(self, conversation_id: int, title: str) -> Conversation:
        return self.update_conversation(conversation_id, title=title.strip())

    def delete_conversation(self, conversation_id: int) -> None:
        with self.db.session() as s:
            conv = s.get(Conversation, conversation_id)
            if conv is None:
                raise NotFoundError(_("No conversation with id {id}.").format(id=conversation_id))
            # Statements, not ORM deletes: the conversation's ON DELETE CASCADE would otherwise remove the
            # messages before their own queued deletes run (SQLAlchemy warns that they matched no rows).
            ids = select(Message.id).where(Message.conversation_id == conversation_id)
            s.exec(delete(Rating).where(col(Rating.message_id).in_(ids)))
            s.exec(delete(Message).where(Message.conversation_id == conversation_id))
            s.delete(conv)

    # -- messages --------------------------------------------------------------
    def add_message(self, conversation_id: int, role: str, content: str, **fields) -> Message:
        with self.db.session() as s:
            msg = Message(conversation_id=conversation_id, role=role, content=content, **fields)
            s.add(msg)
            s.flush()
            if role == "assistant" and msg.group_id is None:
                msg.group_id = msg.id
            conv = s.get(Conversation, conversation_id)
            if conv is not None:
                conv.updated_at = utcnow()
                if not conv.title and role == "user":
                    conv.title = " ".join(content.split())[:60]
                s.add(conv)
            s.add(msg)
            s.flush()
            s.refresh(msg)
            return msg

    def get_message(self, message_id: int) -> Message:
        with self.db.session() as s:
            msg = s.get(Message, message_id)
        if msg is None:
            raise NotFoundError(
                _("No message with id {id}.").format(id=message_id),
                hint=_("Message ids are printed by 'aeon-studio chat --once … --json'."),
            )
        return msg

    def update_message(self, message_id: int, **changes) -> Message:
        with self.db.session() as s:
            msg = s.get(Message, message_id)
            if msg is None:
                raise NotFoundError(_("No message with id {id}.").format(id=message_id))
            for k, v in changes.items():
                setattr(msg, k, v)
            s.add(msg)
            s.flush()
            s.refresh(msg)
            return msg

    def messages(self, conversation_id: int, *, active_only: bool = False) -> list[Message]:
        """The conversation in visible order: a reply's versions sit where its first version sits
        (a regeneration of an earlier reply has a larger id, but answers the same question)."""
        with self.db.session() as s:
            q = select(Message).where(Message.conversation_id == conversation_id)
            if active_only:
                q = q.where(Message.active == True)  # noqa: E712
            return list(s.exec(q.order_by(func.coalesce(Message.group_id, Message.id), Message.id)).all())

    def versions(self, message_id: int) -> list[Message]:
        """Every version (original, regenerations, edits) of the reply ``message_id`` belongs to."""
        msg = self.get_message(message_id)
        if msg.group_id is None:
            return [msg]
        with self.db.session() as s:
            q = select(Message).where(Message.group_id == msg.group_id).order_by(Message.id)
            return list(s.exec(q).all())

    def activate_version(self, message_id: int) -> Message:
        """Make ``message_id`` the version that stays (and the one the model sees)."""
        msg = self.get_message(message_id)
        with self.db.session() as s:
            for other in s.exec(select(Message).where(Message.group_id == msg.group_id)).all():
                other.active = other.id == message_id
                s.add(other)
        return self.get_message(message_id)

    def add_version(self, of_message_id: int, content: str, *, edited: bool, **fields) -> Message:
        """Store a regeneration (``edited=False``) or a user's correction (``edited=True``)
        of a reply as a new active version; the earlier versions are kept."""
        orig = self.get_message(of_message_id)
        if orig.role != "assistant":
            raise ValidationError(_("Only assistant replies have versions (message {id} is a {role} message).")
                                  .format(id=of_message_id, role=orig.role))
        link = {"edited_from_id": orig.id} if edited else {"regenerates_id": orig.id}
        fields = {"persona_key": orig.persona_key, "model_id": orig.model_id, "adapter_id": orig.adapter_id,
                  **fields, **link}
        with self.db.session() as s:
            for other in s.exec(select(Message).where(Message.group_id == orig.group_id)).all():
                other.active = False
                s.add(other)
            msg = Message(conversation_id=orig.conversation_id, role="assistant", content=content,
                          group_id=orig.group_id, active=True, **fields)
            s.add(msg)
            s.flush()
            s.refresh(msg)
            return msg

    # -- ratings ---------------------------------------------------------------
    def rate(self, message_id: int, likert: int) -> Rating:
        _check_range(likert, *LIKERT_RANGE, what=_("A rating"))
        msg = self.get_message(message_id)
        if msg.role != "assistant":
            raise ValidationError(_("Only assistant replies can be rated; message {id} is a {role} message.")
                                  .format(id=message_id, role=msg.role))
        with self.db.session() as s:
            rating = s.exec(select(Rating).where(Rating.message_id == message_id)).first()
            if rating is None:
                rating = Rating(message_id=message_id, likert=likert)
            else:
                rating.likert, rating.updated_at = likert, utcnow()
            s.add(rating)
            s.flush()
            s.refresh(rating)
            return rating

    def clear_rating(self, message_id: int) -> None:
        with self.db.session() as s:
            rating = s.exec(select(Rating).where(Rating.message_id == message_id)).first()
            if rating is not None:
                s.delete(rating)

    def ratings_for(self, message_ids: list[int]) -> dict[int, int]:
        if not message_ids:
            return {}
        with self.db.session() as s:
            rows = s.exec(select(Rating).where(col(Rating.message_id).in_(message_ids))).all()
            return {r.message_id: r.likert for r in rows}

    def rated_count(self) -> int:
        with self.db.session() as s:
            return s.exec(select(func.count()).select_from(Rating)).one()

    # -- surveys ---------------------------------------------------------------
    def add_survey(self, kind: str, value: int) -> SurveyAnswer:
        if kind == "usability":
            _check_range(value, *USABILITY_RANGE, what=_("A usability score"))
        elif kind == "nps":
            _check_range(value, *NPS_RANGE, what=_("An NPS answer"))
        else:
            raise ValidationError(_("Unknown survey '{kind}' (use 'usability' or 'nps').").format(kind=kind))
        with self.db.session() as s:
            answer = SurveyAnswer(kind=kind, value=value)
            s.add(answer)
            s.flush()
            s.refresh(answer)
            return answer

    def last_survey_at_rated_count(self) -> int:
        """How many ratings existed when the last survey was answered (for 'every Nth rating')."""
        with self.db.session() as s:
            last = s.exec(select(SurveyAnswer).order_by(col(SurveyAnswer.created_at).desc())).first()
            if last is None:
                return 0
            return s.exec(select(func.count()).select_from(Rating).where(Rating.created_at <= last.created_at)).one()

    # -- statistics ------------------------------------------------------------
    def stats(self) -> Stats:
        with self.db.session() as s:
            conversations = s.exec(select(func.count()).select_from(Conversation)).one()
            messages = s.exec(select(func.count()).select_from(Message)).one()
            replies = s.exec(select(func.count()).select_from(Message).where(Message.role == "assistant")).one()
            likerts = list(s.exec(select(Rating.likert)).all())
            usability = list(s.exec(select(SurveyAnswer.value).where(SurveyAnswer.kind == "usability")).all())
            nps = list(s.exec(select(SurveyAnswer.value).where(SurveyAnswer.kind == "nps")).all())
        hist = {i: 0 for i in range(1, 6)}
        for v in likerts:
            hist[v] = hist.get(v, 0) + 1
        return Stats(
            conversations=conversations,
            messages=messages,
            replies=replies,
            rated=len(likerts),
            likert_avg=round(sum(likerts) / len(likerts), 2) if likerts else None,
            likert_histogram=hist,
            usability_avg=round(sum(usability) / len(usability), 2) if usability else None,
            usability_answers=len(usability),
            nps=nps_score(nps),
            nps_answers=len(nps),
        )
