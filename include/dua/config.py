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

    @property
    def reports_dir(self) -> Path:
        return self.home / "reports"


def settings() -> Settings:
    home = Path(os.environ.get("DUA_HOME", "./.dua")).expanduser().resolve()
    key = os.environ.get("DUA_PSEUDONYM_KEY")
    share = os.environ.get("DUA_MAX_REJECT_SHARE", "0.05")
    try:
        max_share = float(share)
    except ValueError as exc:
        raise ConfigError(f"DUA_MAX_REJECT_SHARE must be a number between 0 and 1, got {share!r}") from exc
    if not 0 <= max_share <= 1:
        raise ConfigError(f"DUA_MAX_REJECT_SHARE must be between 0 and 1, got {share!r}")
    return Settings(
        home=home,
        warehouse_url=os.environ.get("DUA_WAREHOUSE_URL") or None,
        pseudonym_key=key.encode("utf-8") if key else None,
        max_reject_share=max_share,
    )
