"""Reusable widgets of the chat: rating stars, version switcher, message bubble, survey dialog."""

from .rating import StarRating
from .survey import SurveyDialog
from .versions import VersionSwitcher

__all__ = ["StarRating", "SurveyDialog", "VersionSwitcher"]
