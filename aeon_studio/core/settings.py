"""Application settings.

Every file the app writes lives under ``home``; ``AEON_STUDIO_HOME`` moves it all
(database, models, runs, logs). Other fields can be set with ``AEON_STUDIO_<FIELD>``
environment variables or in ``<home>/settings.json``.
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path

import platformdirs
from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from .i18n import N_

APP_NAME = "aeon-studio"


def _default_home() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def default_threads() -> int:
    """Physical cores when known (llama.cpp decodes fastest there), at least 1."""
    try:
        import psutil

        physical = psutil.cpu_count(logical=False)
    except Exception:  # pragma: no cover - psutil is a dependency, but stay robust
        physical = None
    return max(1, physical or os.cpu_count() or 1)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="AEON_STUDIO_", extra="ignore")

    home: Path = Field(default_factory=_default_home)
    language: str | None = None
    default_model: str = "smollm2-135m-instruct"
    default_persona: str = "casual"
    #: The first-run welcome was shown (and the user chose a language and persona there).
    welcome_done: bool = False
    n_ctx: int = 4096
    n_threads: int = Field(default_factory=default_threads)
    survey_every: int = 10
    retrain_hint_every: int = 50
    ollama_host: str = "http://127.0.0.1:11434"
    # Long-term memory (aeon_studio.core.memory)
    memory_top_k: int = Field(3, ge=1, le=50, description=N_("memories recalled per turn at most"))
    memory_threshold: float = Field(0.35, ge=-1.0, le=1.0, description=N_("lowest cosine similarity recalled"))
    memory_token_budget: int = Field(160, ge=0, le=4096, description=N_("prompt tokens (estimated) for recalled text"))
    memory_chunk_chars: int = Field(800, ge=100, le=20000, description=N_("characters per document passage"))
    memory_chunk_overlap: int = Field(150, ge=0, le=5000, description=N_("characters shared by neighbour passages"))
    embedding_model: str = Field("", description=N_("memory's sentence-embedding model: empty for the shipped "
                                    "all-MiniLM-L6-v2, a folder, or a model in the Hugging Face cache; change it "
                                    "with 'aeon-studio memory reembed --model' (the stored memories are embedded "
                                    "again)"))
    # Evaluation gate (aeon_studio.core.evaluation.gate)
    gate_ppl_tolerance: float = Field(0.02, ge=0.0, le=1.0,
                                      description=N_("how much worse (fraction) a candidate's held-out "
                                                     "perplexity may be than the active model's and still be "
                                                     "promoted"))
    # Estimated cost of a training run (aeon_studio.core.training.cost)
    machine_hourly_price: float = Field(0.0, ge=0.0, le=1_000_000.0,
                                        description=N_("what an hour of this machine costs (a rented GPU box, "
                                                       "power), in machine_currency; each run shows duration × "
                                                       "price; 0: no cost shown"))
    machine_currency: str = Field("USD", pattern=r"^[A-Z]{3}$",
                                  description=N_("the currency of machine_hourly_price: an ISO 4217 code (USD, "
                                                 "EUR, BRL…)"))

    @field_validator("machine_currency", mode="before")
    @classmethod
    def _currency_code(cls, v: object) -> object:
        return v.strip().upper() if isinstance(v, str) else v  # "brl" is what was meant by BRL

    @field_validator("home", mode="after")
    @classmethod
    def _expand(cls, v: Path) -> Path:
        return v.expanduser().resolve()

    # Every folder the app writes to derives from ``home``.
    @property
    def db_path(self) -> Path:
        return self.home / "aeon.db"

    @property
    def models_dir(self) -> Path:
        return self.home / "models"

    @property
    def runs_dir(self) -> Path:
        return self.home / "runs"

    @property
    def adapters_dir(self) -> Path:
        return self.home / "adapters"

    @property
    def datasets_dir(self) -> Path:
        return self.home / "datasets"

    @property
    def memory_dir(self) -> Path:
        return self.home / "memory"

    @property
    def exports_dir(self) -> Path:
        return self.home / "exports"

    @property
    def logs_dir(self) -> Path:
        return self.home / "logs"

    @property
    def cache_dir(self) -> Path:
        return self.home / "cache"

    @property
    def settings_file(self) -> Path:
        return self.home / "settings.json"

    @property
    def schedule_file(self) -> Path:
        """Scheduled retraining: each persona's settings and its last runs (``core/training/schedule.py``)."""
        return self.home / "schedule.json"

    @property
    def schedule_lock(self) -> Path:
        """Held while a scheduled retrain runs (pid and start time inside; a dead holder's lock is taken over)."""
        return self.home / "schedule.lock"

    def save(self, **changes: object) -> "Settings":
        """Persist ``changes`` to ``settings.json`` and return updated settings."""
        data = self._file_values(self.home)
        data.update({k: (str(v) if isinstance(v, Path) else v) for k, v in changes.items()})
        self.home.mkdir(parents=True, exist_ok=True)
        tmp = self.settings_file.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")
        tmp.replace(self.settings_file)
        get_settings.cache_clear()
        return get_settings()

    @staticmethod
    def _file_values(home: Path) -> dict:
        f = home / "settings.json"
        if not f.exists():
            return {}
        try:
            data = json.loads(f.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings from the environment, then ``<home>/settings.json`` for unset fields."""
    env_only = Settings()
    file_values = {
        k: v for k, v in Settings._file_values(env_only.home).items()
        if k != "home" and f"AEON_STUDIO_{k.upper()}" not in os.environ
    }
    if not file_values:
        return env_only
    return env_only.model_copy(update=Settings.model_validate({**file_values, "home": env_only.home}).model_dump(include=set(file_values)))


def change(**values: object) -> Settings:
    """Check ``values`` with the whole settings model (type, range, pattern) and save them; the CLI's
    ``settings set`` and the GUI both change settings through here.

    Returns:
        The settings as saved (values normalised by the model, e.g. a currency code in capitals).

    Raises:
        ValidationError: naming the first wrong field and the value given, with the field's description as the
            hint (``None`` when it has none); nothing is written then.
    """
    import pydantic

    from .errors import ValidationError
    from .i18n import _

    current = get_settings()
    try:
        checked = Settings.model_validate({**current.model_dump(), **values})
    except pydantic.ValidationError as exc:
        name = str(exc.errors()[0]["loc"][0])
        reason = "; ".join(_reason(e) for e in exc.errors() if e["loc"][:1] == (name,))
        what = Settings.model_fields[name].description if name in Settings.model_fields else None
        raise ValidationError(_("{name}: '{value}' is not a valid value ({reason}).").format(
            name=name, value=values.get(name), reason=reason), hint=_(what) if what else None) from exc
    return current.save(**{k: getattr(checked, k) for k in values})


#: pydantic's common complaints about a typed value, in words we translate (pydantic's own are English only).
_REASONS = {
    "float_parsing": N_("a number is expected, such as 2.5"),
    "int_parsing": N_("a whole number is expected"),
    "bool_parsing": N_("true or false is expected"),
    "greater_than_equal": N_("it must be {ge} or more"),
    "less_than_equal": N_("it must be {le} or less"),
    "string_pattern_mismatch": N_("it must match the pattern {pattern}"),
}


def _reason(error: dict) -> str:
    """One pydantic error in the user's language; pydantic's English words for a kind not listed above."""
    from .i18n import _

    text = _REASONS.get(error.get("type", ""))
    if text is None:
        return str(error["msg"])
    ctx = {k: (f"{v:g}" if isinstance(v, float) else v) for k, v in (error.get("ctx") or {}).items()}
    return _(text).format(**ctx)


def reset_settings() -> None:
    """Forget cached settings (tests change ``AEON_STUDIO_HOME`` between cases)."""
    get_settings.cache_clear()
