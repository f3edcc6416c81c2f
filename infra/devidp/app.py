"""The Litestar application of the dev identity server."""

from __future__ import annotations

import os

from litestar import Litestar
from litestar.datastructures import State

from devidp.admin import ADMIN_CONTROLLERS
from devidp.config import IdpConfig
from devidp.errors import (
    AdminError,
    OAuthError,
    PageError,
    admin_error_handler,
    oauth_error_handler,
    page_error_handler,
)
from devidp.oidc import OpenIdController
from devidp.realm import load_realm
from devidp.service import IdentityService


def create_app(config: IdpConfig | None = None) -> Litestar:
    """Build the server for ``config`` (default: from the environment).

    Raises :class:`devidp.config.ProductionRefusedError` for ``SAFECAMPUS_ENV=production`` and
    :class:`devidp.realm.RealmFileError` when the realm file cannot be used. The database is opened at
    application start-up; ``app.state.idp`` is the :class:`IdentityService`.
    """
    config = config or IdpConfig.from_env()
    config.check()
    placeholders = os.environ if config.placeholders is None else config.placeholders
    realm = load_realm(config.realm_file, placeholders, allow_generated=config.allows_generated_secrets)
    service = IdentityService(config, realm)
    return Litestar(
        route_handlers=[OpenIdController, *ADMIN_CONTROLLERS],
        on_startup=[service.start],
        on_shutdown=[service.stop],
        exception_handlers={
            OAuthError: oauth_error_handler,
            AdminError: admin_error_handler,
            PageError: page_error_handler,
        },
        state=State({"idp": service}),
        openapi_config=None,
        request_max_body_size=1_048_576,
    )
