"""A static file server for tests and audits: loopback only, extra headers, stops cleanly.

Serves the built site like nginx would (index.html for folders, 404.html for
missing files) and adds the headers given, e.g. a strict Content-Security-Policy.
"""

from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path


class _Handler(http.server.SimpleHTTPRequestHandler):
    extra_headers: dict = {}

    def end_headers(self):
        for name, value in self.extra_headers.items():
            self.send_header(name, value)
        super().end_headers()

    def send_error(self, code, message=None, explain=None):
        not_found = Path(self.directory) / "404.html"
        if code == 404 and not_found.exists():
            body = not_found.read_bytes()
            self.send_response(404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
            return
        super().send_error(code, message, explain)

    def log_message(self, *args):  # keep test output quiet
        pass


class StaticServer:
    def __init__(self, root: Path, port: int = 0, headers: dict | None = None):
        handler = type("Handler", (_Handler,), {"extra_headers": dict(headers or {})})
        handler.extensions_map = {
            **_Handler.extensions_map,
            ".ics": "text/calendar",
            ".atom": "application/atom+xml",
            ".js": "text/javascript",
            ".svg": "image/svg+xml",
        }
        self.httpd = http.server.ThreadingHTTPServer(
            ("127.0.0.1", port), functools.partial(handler, directory=str(root))
        )
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/"

    def start(self) -> StaticServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)

    # `with StaticServer(root, port, headers) as url:` serves for the block only.
    def __enter__(self) -> str:
        return self.start().url

    def __exit__(self, *exc) -> None:
        self.stop()
