"""Run the dev identity server inside a test process or the local runner."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import uvicorn

from devidp.app import create_app
from devidp.config import IdpConfig
from devidp.service import IdentityService

_START_TIMEOUT = 30.0


@contextmanager
def running_idp(database_dsn: str, *, port: int = 0, **config: Any) -> Iterator[str]:
    """Serve the dev identity server from a background thread; yields its base URL.

    ``port=0`` picks a free port on 127.0.0.1. Further keyword arguments are :class:`IdpConfig`
    fields (``env``, ``access_token_lifespan``, ``placeholders``, ``realm_file``, ...); the rest
    comes from the environment as for ``python -m devidp``. The server stops when the block exits.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(("127.0.0.1", port))
        bound_port = sock.getsockname()[1]
        # The URL it advertises is the one it answers on, whatever IDP_PUBLIC_URL says, unless given.
        config.setdefault("public_url", "")
        settings = IdpConfig.from_env(database_url=database_dsn, host="127.0.0.1", port=bound_port, **config)
        app = create_app(settings)
        service: IdentityService = app.state.idp
        server = uvicorn.Server(
            uvicorn.Config(
                app, log_level="warning", access_log=False, lifespan="on", timeout_graceful_shutdown=5
            )
        )
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="devidp", daemon=True)
        thread.start()
        try:
            _wait_until_serving(server, thread, service, settings)
            yield settings.base_url
        finally:
            server.should_exit = True
            thread.join(timeout=15)
    finally:
        sock.close()


def _wait_until_serving(
    server: uvicorn.Server, thread: threading.Thread, service: IdentityService, settings: IdpConfig
) -> None:
    deadline = time.monotonic() + _START_TIMEOUT
    url = f"http://127.0.0.1:{settings.port}/realms/{service.realm.name}/.well-known/openid-configuration"
    while time.monotonic() < deadline:
        if not thread.is_alive() or service.startup_error is not None:
            raise RuntimeError(f"the dev identity server did not start: {service.startup_error!r}")
        if server.started:
            try:
                if httpx.get(url, timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
        time.sleep(0.02)
    server.should_exit = True
    raise RuntimeError(f"the dev identity server did not answer within {_START_TIMEOUT:.0f} s")
