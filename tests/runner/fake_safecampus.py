"""A stand-in for the ``safecampus`` command, for the runner's tests.

Behaviour is steered by environment variables so that each test describes one situation:
FAKE_DIR (where calls and pids are recorded), FAKE_FAIL=<step> (that one-shot command exits 2),
FAKE_DIE=<name> (that service exits 3 a moment after it is ready), FAKE_NOT_READY=<name> (its readiness
endpoint answers 503), FAKE_IGNORE_TERM=<name> (it ignores SIGTERM).
"""

from __future__ import annotations

import http.server
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

FAKE_DIR = Path(os.environ["FAKE_DIR"])


def record(name: str) -> None:
    with (FAKE_DIR / "calls").open("a") as calls:
        calls.write(f"{name}\n")
    (FAKE_DIR / f"{name}.pid").write_text(str(os.getpid()))


def serve(name: str, port: int) -> None:
    not_ready = os.environ.get("FAKE_NOT_READY") == name

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            status = 503 if not_ready else 200
            self.send_response(status)
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, format: str, *args: object) -> None:
            print(f"{name} request {self.path}", flush=True)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    print(f"{name} listening on {port}", flush=True)
    if os.environ.get("FAKE_DIE") == name:

        def die() -> None:
            time.sleep(1.0)
            print(f"ERROR {name}: boom, something broke", flush=True)
            os._exit(3)

        threading.Thread(target=die, daemon=True).start()
    server.serve_forever()


def main(argv: list[str]) -> int:
    if argv[:1] == ["idp"]:
        argv = argv[1:]
        name = "idp"
    elif argv[:1] == ["serve"]:
        name = argv[1]
    elif argv[:1] == ["db"]:
        name = f"db-{argv[1]}"
    elif argv[:2] == ["demo", "seed"]:
        name = "demo-seed"
    else:
        name = argv[0]
    record(name)
    if os.environ.get("FAKE_IGNORE_TERM") == name:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    if name.startswith("db-"):
        print(f"{name}: DATABASE_URL={os.environ.get('DATABASE_URL')}", flush=True)
        return 2 if os.environ.get("FAKE_FAIL") == name else 0
    if name == "demo-seed":
        out = Path(argv[argv.index("--out") + 1])
        users = [
            {"username": "bureau.li", "password": "pw-bureau", "role": "bureau"},
            {
                "username": "principal.a",
                "password": "pw-pa",
                "role": "principal",
                "school": "First Middle School",
            },
            {
                "username": "teacher.a",
                "password": "pw-ta",
                "role": "teacher",
                "school": "First Middle School",
            },
            {
                "username": "principal.b",
                "password": "pw-pb",
                "role": "principal",
                "school": "Second Primary School",
            },
        ]
        out.write_text(json.dumps({"county": {"name": "Demo County"}, "users": users, "urls": {}}))
        return 0
    if name == "worker":
        # A grandchild in the same process group, as Dramatiq's worker processes are.
        grandchild = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)"])
        (FAKE_DIR / "worker-grandchild.pid").write_text(str(grandchild.pid))
        print("worker started", flush=True)
        while True:
            time.sleep(1)
    serve(name, int(argv[argv.index("--port") + 1]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
