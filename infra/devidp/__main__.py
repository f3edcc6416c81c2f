"""``python -m devidp``: serve the dev identity server (never in production)."""

from __future__ import annotations

import argparse
import logging
import sys

import uvicorn

from devidp.app import create_app
from devidp.config import ConfigError, IdpConfig
from devidp.realm import RealmFileError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m devidp",
        description="Keycloak-compatible dev identity server for SafeCampus (development and tests only).",
    )
    parser.add_argument("command", nargs="?", default="serve", choices=["serve", "check"])
    parser.add_argument("--host", help="listen address (IDP_HOST, default 127.0.0.1)")
    parser.add_argument("--port", type=int, help="listen port (IDP_PORT, default 8180)")
    parser.add_argument("--public-url", help="advertised base URL (IDP_PUBLIC_URL)")
    parser.add_argument("--realm-file", help="Keycloak realm import file (IDP_REALM_FILE)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    overrides = {
        key: value
        for key, value in (
            ("host", args.host),
            ("port", args.port),
            ("public_url", args.public_url),
            ("realm_file", args.realm_file),
        )
        if value is not None
    }
    try:
        config = IdpConfig.from_env(**overrides)
        app = create_app(config)
    except (ConfigError, RealmFileError) as exc:
        print(f"devidp: {exc}", file=sys.stderr)
        return 2
    if args.command == "check":
        print(f"devidp: configuration OK; would serve {config.base_url}/realms/{app.state.idp.realm.name}")
        return 0
    uvicorn.run(app, host=config.host, port=config.port, log_level="info", lifespan="on")
    return 0


if __name__ == "__main__":
    sys.exit(main())
