"""``make serve``'s static server: Pelican's own, but a missing page gets the site's 404.

Pelican's ``--listen`` server closes the connection without any answer when a path
does not exist; a visitor trying the site locally should see what the published
site shows (404.html, as the operators' guide sets up nginx and Apache).

    python -m offer_pelican.serve output --bind 127.0.0.1 --port 8000
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pelican.server import ComplexHTTPRequestHandler, RootedHTTPServer

NOT_FOUND_PAGE = "404.html"


class SiteRequestHandler(ComplexHTTPRequestHandler):
    def do_GET(self):
        if self.get_path_that_exists(self.path.split("?", 1)[0]) is None:
            self.send_site_not_found()
            return
        super().do_GET()

    def send_site_not_found(self) -> None:
        page = Path(self.base_path) / NOT_FOUND_PAGE
        body = page.read_bytes() if page.is_file() else b"Page introuvable"
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8" if page.is_file() else "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def make_server(site: Path, host: str = "127.0.0.1", port: int = 8000) -> RootedHTTPServer:
    RootedHTTPServer.allow_reuse_address = True
    return RootedHTTPServer(str(site), (host, port), SiteRequestHandler)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m offer_pelican.serve", description="Sert le site construit.")
    parser.add_argument("dossier", help="dossier du site construit (output)")
    parser.add_argument("--bind", default="127.0.0.1", help="adresse d'écoute (par défaut : 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port d'écoute (par défaut : 8000)")
    args = parser.parse_args(argv)
    server = make_server(Path(args.dossier), args.bind, args.port)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
