"""The ID-number key: production refuses to run without a real one."""

from __future__ import annotations

import pytest

from kit.settings import Settings, SettingsError
from personnel import settings as personnel_settings


@pytest.fixture
def production(monkeypatch):
    monkeypatch.setattr(personnel_settings, "get_settings", lambda: Settings(env="production"))
    return monkeypatch


@pytest.mark.parametrize("key", ["", "dev-only-change-me", personnel_settings.DEV_ID_KEY, "short-secret"])
def test_production_refuses_a_missing_dev_or_short_id_key(production, key):
    production.setenv("PERSONNEL_ID_KEY", key)
    with pytest.raises(SettingsError, match="PERSONNEL_ID_KEY"):
        personnel_settings.PersonnelSettings.from_env()


def test_production_accepts_a_real_key_and_development_falls_back_to_the_dev_key(production, monkeypatch):
    production.setenv("PERSONNEL_ID_KEY", "k" * 48)
    assert personnel_settings.PersonnelSettings.from_env().id_key == "k" * 48
    monkeypatch.setattr(personnel_settings, "get_settings", lambda: Settings(env="development"))
    monkeypatch.delenv("PERSONNEL_ID_KEY")
    assert personnel_settings.PersonnelSettings.from_env().id_key == personnel_settings.DEV_ID_KEY


def test_an_unknown_time_zone_is_refused(monkeypatch):
    monkeypatch.setenv("PERSONNEL_TIMEZONE", "Mars/Olympus_Mons")
    with pytest.raises(SettingsError, match="time zone"):
        personnel_settings.PersonnelSettings.from_env()
