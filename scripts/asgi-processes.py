#!/usr/bin/env python3
"""Run several ASGI server processes on one address: this parent opens the listening socket
once and starts PORTAL_ASGI_PROCESSES daphne processes that all accept on it (daphne --fd).
The kernel spreads new connections over them; they share PostgreSQL and the Redis channel
layer, so a class's listeners may be on any of them. Stops them all on SIGINT or SIGTERM.

Usage: scripts/asgi-processes.py [host] [port]   (defaults 127.0.0.1 8000)
"""

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    host = sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1"
    port = int(sys.argv[2]) if len(sys.argv) > 2 else 8000
    count = int(os.environ.get("PORTAL_ASGI_PROCESSES") or os.cpu_count() or 1)
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((host, port))
    listener.listen(1024)
    listener.set_inheritable(True)
    fd = listener.fileno()
    daphne = [sys.executable, "-m", "daphne", "--fd", str(fd), "portal.asgi:application"]
    children = [
        subprocess.Popen(daphne, cwd=ROOT, pass_fds=(fd,))  # noqa: S603 (a fixed command line)
        for _ in range(count)
    ]
    print(f"{count} ASGI processes on http://{host}:{port}/", flush=True)

    def stop(*_):
        for child in children:
            child.terminate()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    codes = [child.wait() for child in children]
    return max(codes, default=0)


if __name__ == "__main__":
    sys.exit(main())
