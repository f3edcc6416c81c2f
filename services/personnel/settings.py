"""Settings that only the personnel service reads: the key that protects visitors' ID numbers, and the
local time zone of the schools (duty peaks and dormitory nights are local times).

Kept here rather than in ``kit.settings`` because no other service may ever hold the ID-number key.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from kit.logging import get_logger
from kit.settings import DEV_ONLY_SECRETS, SettingsError, get_settings

log = get_logger(__name__)

#: Used only outside production when PERSONNEL_ID_KEY is not set (``make run`` always sets a generated one).
DEV_ID_KEY = "dev-only-personnel-id-key-change-me"
MIN_KEY_LENGTH = 32


@dataclass(frozen=True)
class PersonnelSettings:
    #: Secret from which the ID-number encryption and search keys are derived (``PERSONNEL_ID_KEY``).
    id_key: str
    #: The schools' local time zone (``PERSONNEL_TIMEZONE``).
    timezone: dt.tzinfo

    @classmethod
    def from_env(cls) -> PersonnelSettings:
        production = get_settings().is_production
        key = os.environ.get("PERSONNEL_ID_KEY", "").strip()
        if production and (key in DEV_ONLY_SECRETS or key == DEV_ID_KEY or len(key) < MIN_KEY_LENGTH):
            raise SettingsError(
                f"production needs PERSONNEL_ID_KEY set to a random secret of at least {MIN_KEY_LENGTH} characters"
            )
        if not key:
            log.warning("personnel_dev_id_key", detail="PERSONNEL_ID_KEY is not set; using the dev-only key")
            key = DEV_ID_KEY
        name = os.environ.get("PERSONNEL_TIMEZONE", "Asia/Shanghai").strip() or "Asia/Shanghai"
        try:
            timezone = ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise SettingsError(f"PERSONNEL_TIMEZONE {name!r} is not a known time zone") from exc
        return cls(id_key=key, timezone=timezone)


@lru_cache(maxsize=1)
def get_personnel_settings() -> PersonnelSettings:
    """The process-wide personnel settings (read once)."""
    return PersonnelSettings.from_env()
