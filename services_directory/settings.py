"""The directory's settings (the directory section of bot.config.AppConfig).

Parsed there, once, from the environment; the directory's modules ask `directory_settings()`
for them instead of reading the environment themselves.

DATABASE_URL                  the directory database (default: SQLite under var/)
DIRECTORY_REVIEW_MONTHS       how long a staff confirmation lasts (default 6)
DIRECTORY_PHONE_MAX_AGE_DAYS  how old a page may be for its phone number to be shown
QLACREF_DATA_DIR              where the postcode data files are, if not the installed package
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_REVIEW_MONTHS = 6
DEFAULT_PHONE_MAX_AGE_DAYS = 3 * 365 + 1


def default_sqlite_path() -> Path:
    """The default file keeps a fresh checkout working with no configuration at all."""
    return REPO_ROOT / "var" / "directory.sqlite3"


def _whole(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    return max(int(raw), 1) if raw.isdigit() else default


@dataclass(frozen=True)
class DirectorySettings:
    database_url: str
    review_months: int = DEFAULT_REVIEW_MONTHS
    phone_max_age_days: int = DEFAULT_PHONE_MAX_AGE_DAYS
    postcode_data_dir: str | None = None

    @classmethod
    def from_mapping(cls, env: Mapping[str, str]) -> DirectorySettings:
        """Built by bot.config's one parser, which refuses a bad value before this is reached;
        built directly, a bad number falls back to its default."""
        return cls(
            database_url=env.get("DATABASE_URL", "").strip()
            or f"sqlite:///{default_sqlite_path()}",
            review_months=_whole(env, "DIRECTORY_REVIEW_MONTHS", DEFAULT_REVIEW_MONTHS),
            phone_max_age_days=_whole(env, "DIRECTORY_PHONE_MAX_AGE_DAYS",
                                      DEFAULT_PHONE_MAX_AGE_DAYS),
            postcode_data_dir=env.get("QLACREF_DATA_DIR", "").strip() or None,
        )


def directory_settings() -> DirectorySettings:
    """This process's directory settings, from its one configuration (bot.config.current())."""
    from bot.config import current

    return current().directory
