"""What every tab gets: the database and the core services, created once per window."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..core.settings import Settings, get_settings
from ..core.storage import Database, get_database


@dataclass
class AppContext:
    settings: Settings = field(default_factory=get_settings)
    db: Database | None = None

    def __post_init__(self) -> None:
        if self.db is None:
            self.db = get_database(self.settings.db_path)
        self._chat = None

    @property
    def home(self) -> Path:
        return self.settings.home

    @property
    def chat(self):
        """The :class:`ChatService` (imports llama-cpp lazily on first use)."""
        if self._chat is None:
            from ..core.chat.service import ChatService

            self._chat = ChatService(self.db)
        return self._chat
