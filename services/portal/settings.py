"""The portal's settings: the shared :class:`kit.settings.Settings` plus what only the web UI needs."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from kit.settings import DEV_ONLY_SECRETS, Settings, SettingsError, get_settings

#: Languages the portal speaks (Babel locale identifiers); the first is the default.
LOCALES = ("zh_Hans", "en")


def _env(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


@dataclass(frozen=True)
class PortalSettings:
    """Everything the portal reads from the environment (once)."""

    base: Settings = field(default_factory=get_settings)
    #: The portal's confidential OIDC client (code flow with PKCE).
    client_id: str = "safecampus-portal"
    client_secret: str = ""
    #: Signs the session cookie and the CSRF tokens.
    session_secret: str = ""
    #: Where browsers reach the portal (``SAFECAMPUS_PORTAL_URL``); the OIDC redirect URI is derived from it.
    public_url: str = "http://127.0.0.1:8100"
    #: Where the portal reaches each service's API (server to server).
    schools_api_url: str = "http://127.0.0.1:8101"
    hazards_api_url: str = "http://127.0.0.1:8102"
    personnel_api_url: str = "http://127.0.0.1:8103"
    evaluation_api_url: str = "http://127.0.0.1:8104"
    #: The language before a user chooses one and when their county sets none.
    default_locale: str = LOCALES[0]
    #: ``redis://...`` keeps sessions in Redis (several portal replicas); empty: in this process's memory.
    session_store_url: str = ""
    #: Idle lifetime of a portal session, in seconds (the identity provider's session may end it sooner).
    session_max_age: int = 8 * 3600
    #: Seconds an API call may take.
    api_timeout: float = 20.0

    @classmethod
    def from_env(cls, base: Settings | None = None) -> PortalSettings:
        settings = cls(
            base=base or get_settings(),
            client_id=_env("SAFECAMPUS_PORTAL_CLIENT_ID", cls.client_id),
            client_secret=_env("SAFECAMPUS_PORTAL_CLIENT_SECRET"),
            session_secret=_env("SAFECAMPUS_SESSION_SECRET"),
            public_url=_env("SAFECAMPUS_PORTAL_URL", cls.public_url).rstrip("/"),
            schools_api_url=_env("SCHOOLS_API_URL", cls.schools_api_url).rstrip("/"),
            hazards_api_url=_env("HAZARDS_API_URL", cls.hazards_api_url).rstrip("/"),
            personnel_api_url=_env("PERSONNEL_API_URL", cls.personnel_api_url).rstrip("/"),
            evaluation_api_url=_env("EVALUATION_API_URL", cls.evaluation_api_url).rstrip("/"),
            default_locale=_env("PORTAL_DEFAULT_LOCALE", cls.default_locale),
            session_store_url=_env("PORTAL_SESSION_STORE_URL"),
            session_max_age=int(_env("PORTAL_SESSION_MAX_AGE", str(cls.session_max_age))),
        )
        settings.check()
        return settings

    def check(self) -> None:
        """Refuse settings the portal cannot run with (and, in production, dev-only values)."""
        if self.default_locale not in LOCALES:
            raise SettingsError(f"PORTAL_DEFAULT_LOCALE must be one of {', '.join(LOCALES)}")
        if not self.client_secret:
            raise SettingsError("SAFECAMPUS_PORTAL_CLIENT_SECRET is not set")
        if len(self.session_secret) < 32:
            raise SettingsError("SAFECAMPUS_SESSION_SECRET must be at least 32 characters")
        if self.base.is_production:
            if self.client_secret in DEV_ONLY_SECRETS or self.session_secret in DEV_ONLY_SECRETS:
                raise SettingsError("production needs real portal client and session secrets")
            if not self.secure_cookies:
                raise SettingsError("production needs SAFECAMPUS_PORTAL_URL over https")

    @property
    def secure_cookies(self) -> bool:
        """Cookies carry ``Secure`` when browsers reach the portal over https."""
        return self.public_url.startswith("https://")

    @property
    def api_urls(self) -> dict[str, str]:
        """Each service's API by the name the portal's calls use (``api.get("hazards", ...)``)."""
        return {
            "schools": self.schools_api_url,
            "hazards": self.hazards_api_url,
            "personnel": self.personnel_api_url,
            "evaluation": self.evaluation_api_url,
        }

    @property
    def redirect_uri(self) -> str:
        return f"{self.public_url}/auth/callback"
