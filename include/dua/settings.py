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


# Longest line the loaders read, in characters (DUA_MAX_LINE_CHARS).  A real
# export's line is a few hundred characters; a longer one is rejected as
# ``line_too_long`` (read in pieces, never held whole).
DEFAULT_MAX_LINE_CHARS = 131_072
# A file unchanged for this many seconds counts as complete (DUA_INBOX_SETTLE_SECONDS).
DEFAULT_SETTLE_SECONDS = 30.0


def max_line_chars() -> int:
    """``DUA_MAX_LINE_CHARS``: the longest line a loader reads (characters)."""
    text = os.environ.get("DUA_MAX_LINE_CHARS", "").strip()
    if not text:
        return DEFAULT_MAX_LINE_CHARS
    try:
        n = int(text)
    except ValueError:
        raise ConfigError(f"DUA_MAX_LINE_CHARS must be a whole number of characters, got {text!r}") from None
    if n < 1024:
        raise ConfigError(f"DUA_MAX_LINE_CHARS must be at least 1024, got {n}")
    return n


def inbox_settle_seconds() -> float:
    """``DUA_INBOX_SETTLE_SECONDS``: how long a file must be unchanged (no write,
    no change of its metadata) before it is complete, unless a ``<file>.done``
    marker says so first."""
    text = os.environ.get("DUA_INBOX_SETTLE_SECONDS", "").strip()
    if not text:
        return DEFAULT_SETTLE_SECONDS
    try:
        n = float(text)
    except ValueError:
        raise ConfigError(f"DUA_INBOX_SETTLE_SECONDS must be a number of seconds, got {text!r}") from None
    if not n >= 0:
        raise ConfigError(f"DUA_INBOX_SETTLE_SECONDS must be 0 or more, got {text!r}")
    return n


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
