"""Errors of the evaluation area."""

from __future__ import annotations

from ..errors import AeonError


class EvaluationError(AeonError):
    """An evaluation cannot run or a golden prompt is malformed; the message names what and what to do.

    Nothing is stored when it is raised.
    """
