"""Configuration from the environment only (``DUA_*`` variables)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
DAGS_DIR = PROJECT_ROOT / "dags"


class ConfigError(RuntimeError):
    """A required setting is missing or malformed."""


@dataclass(frozen=True)
class Settings:
    home: Path
    warehouse_url: str | None
    pseudonym_key: bytes | None
    max_reject_share: float
    max_shrink_share: float

    @property
    def reports_dir(self) -> Path:
        return self.home / "reports"


def _share(name: str, default: str) -> float:
    text = os.environ.get(name, "").strip() or default
    try:
        share = float(text)
    except ValueError:
        raise ConfigError(f"{name} must be a number between 0 and 1, got {text!r}") from None
    if not 0 <= share <= 1:
        raise ConfigError(f"{name} must be between 0 and 1, got {text!r}")
    return share


# A corrected Af file whose snapshot has fewer than this share of the persons
# of the snapshot it would replace is held for review (``dua accept``).
DEFAULT_MAX_SHRINK_SHARE = "0.5"


def settings() -> Settings:
    home = Path(os.environ.get("DUA_HOME", "./.dua")).expanduser().resolve()
    key = os.environ.get("DUA_PSEUDONYM_KEY")
    return Settings(
        home=home,
        warehouse_url=os.environ.get("DUA_WAREHOUSE_URL") or None,
        pseudonym_key=key.encode("utf-8") if key else None,
        max_reject_share=_share("DUA_MAX_REJECT_SHARE", "0.05"),
        max_shrink_share=_share("DUA_MAX_SHRINK_SHARE", DEFAULT_MAX_SHRINK_SHARE),
    )
