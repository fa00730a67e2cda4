"""Serve the prebuilt demo site on 127.0.0.1 from a daemon thread."""
from __future__ import annotations

import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from .render import Page
from .site import build_site


def canonical(path_qs: str) -> tuple[str, tuple]:
    """(path, sorted query pairs): query order never matters."""
    parts = urlsplit(path_qs)
    return parts.path or "/", tuple(sorted(parse_qsl(parts.query, keep_blank_values=True)))


class _Site:
    def __init__(self, pages: dict[str, Page]):
        self.exact = {canonical(k): v for k, v in pages.items()}
        self.by_path: dict[str, list] = {}
        for (path, query), page in self.exact.items():
            self.by_path.setdefault(path, []).append((dict(query), page))

    def lookup(self, path: str, query: tuple) -> Page | None:
        page = self.exact.get((path, query))
        if page is not None or not query:
            return page
        # Extra parameters (webname=…, a cache-buster) are ignored when every parameter the
        # page was published under matches (jpage sends more fields than the key holds).
        params = dict(query)
        for want, page in self.by_path.get(path, []):
            if want and all(params.get(k) == v for k, v in want.items()):
                return page
        return None


class _Handler(BaseHTTPRequestHandler):
    server_version = "nianbao-demo/1"
    site: _Site
    verbose = False

    def _respond(self, extra_query: str = "", head: bool = False) -> None:
        path, query = canonical(self.path)
        if extra_query:
            query = tuple(sorted(set(query) | set(parse_qsl(extra_query, keep_blank_values=True))))
        page = self.site.lookup(path, query)
        if page is None:
            page, status = Page(b"<html><body><h1>404 Not Found</h1></body></html>", "text/html; charset=utf-8"), 404
        else:
            status = 200
        self.send_response(status)
        self.send_header("Content-Type", page.content_type)
        self.send_header("Content-Length", str(len(page.body)))
        self.end_headers()
        if not head:
            self.wfile.write(page.body)

    def do_GET(self):  # noqa: N802
        self._respond()

    def do_HEAD(self):  # noqa: N802
        self._respond(head=True)

    def do_POST(self):  # noqa: N802 — real jpage POSTs its form to dataproxy.jsp
        length = int(self.headers.get("Content-Length") or 0)
        self._respond(self.rfile.read(length).decode("utf-8", "replace"))

    def log_message(self, format, *args):  # noqa: A002
        if self.verbose:
            sys.stderr.write("%s - %s\n" % (self.address_string(), format % args))


class DemoServer:
    """A running demo site. ``base_url`` like ``http://127.0.0.1:8700``; ``homepages`` are the
    four portal homepages (absolute URLs); use as a context manager or call ``stop()``."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, verbose: bool = False):
        from .families import FAMILY_MODULES

        handler = type("DemoHandler", (_Handler,), {"site": _Site(build_site()), "verbose": verbose})
        self.httpd = ThreadingHTTPServer((host, port), handler)
        self.httpd.daemon_threads = True
        self.host, self.port = self.httpd.server_address[:2]
        self.base_url = f"http://{self.host}:{self.port}"
        self.homepages = [self.base_url + m.PORTAL["homepage"] for m in FAMILY_MODULES.values()]
        self._thread = threading.Thread(target=self.httpd.serve_forever, name="demo-portal", daemon=True)
        self._thread.start()

    def url(self, path: str) -> str:
        return self.base_url + path

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> "DemoServer":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def start(host: str = "127.0.0.1", port: int = 0, verbose: bool = False) -> DemoServer:
    """Start serving the demo site in a daemon thread; ``port=0`` picks a free port."""
    return DemoServer(host, port, verbose)
