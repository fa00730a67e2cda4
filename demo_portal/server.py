"""Serve the prebuilt demo site on 127.0.0.1 from a daemon thread.

Beyond static pages the server behaves like a real portal's web server where tests need it:
ETag / Last-Modified on every page and 304 answers to If-None-Match / If-Modified-Since;
per-path variants a test can switch on (a corrected report, a vanished one, a maintenance
page); and a log of every request.
"""
from __future__ import annotations

import hashlib
import sys
import threading
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import NamedTuple
from urllib.parse import parse_qsl, urlsplit

from .render import ORIGIN, Page, maintenance_page
from .site import build_routes, build_site

# Last-Modified of pages with no publication date of their own (homepages, lists).
SITE_MODIFIED = "2025-06-01"
# Last-Modified of a corrected re-publication: after every document's publication date.
CORRECTED_MODIFIED = "2025-09-01"
VARIANTS = ("corrected", "gone", "maintenance")
NOT_FOUND = Page(b"<html><body><h1>404 Not Found</h1></body></html>", "text/html; charset=utf-8", status=404,
                 validators=False)
CST = timezone(timedelta(hours=8))


def canonical(path_qs: str) -> tuple[str, tuple]:
    """(path, sorted query pairs): query order never matters."""
    parts = urlsplit(path_qs)
    return parts.path or "/", tuple(sorted(parse_qsl(parts.query, keep_blank_values=True)))


def http_date(day: str) -> str:
    """``YYYY-MM-DD`` as an HTTP date (09:00 China time that day)."""
    return format_datetime(datetime.fromisoformat(day).replace(hour=9, tzinfo=CST).astimezone(timezone.utc), usegmt=True)


def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:20] + '"'


class Request(NamedTuple):
    """One request the server answered: ``conditional`` when it carried If-None-Match or
    If-Modified-Since; ``path`` as the client sent it (path and query)."""
    method: str
    path: str
    status: int
    conditional: bool


class _Site:
    def __init__(self, pages: dict[str, Page], routes: dict):
        self.exact = {canonical(k): v for k, v in pages.items()}
        self.by_path: dict[str, list] = {}
        for (path, query), page in self.exact.items():
            self.by_path.setdefault(path, []).append((query, page))
        self.routes = routes

    def lookup(self, path: str, query: tuple) -> tuple[tuple | None, Page | None]:
        """(canonical key of the static page, page); (None, page) for a computed answer."""
        key = (path, query)
        if key in self.exact:
            return key, self.exact[key]
        if path in self.routes:
            return None, self.routes[path](dict(query))
        if not query:
            return None, None
        # Extra parameters (webname=…, a cache-buster) are ignored when every parameter the
        # page was published under matches (jpage sends more fields than the key holds).
        params = dict(query)
        for want, page in self.by_path.get(path, []):
            if want and all(params.get(k) == v for k, v in want):
                return (path, want), page
        return None, None


class _State:
    """What tests switch and read: variants per page, the request log."""

    def __init__(self, site: _Site, titles: dict[str, str]):
        self.site = site
        self.titles = {canonical(p): t for p, t in titles.items()}
        self.variants: dict[tuple, str] = {}
        self.requests: list[Request] = []
        self._corrected: dict | None = None
        self._lock = threading.Lock()

    def corrected_page(self, key: tuple) -> Page | None:
        with self._lock:
            if self._corrected is None:
                self._corrected = {canonical(k): v for k, v in build_site(corrected=True).items()}
        page = self._corrected.get(key)
        if page is None or page.body == self.site.exact[key].body:
            return None
        return Page(page.body, page.content_type, page.status, page.headers, CORRECTED_MODIFIED, page.absolute)

    def page_for(self, key: tuple | None, page: Page | None) -> Page | None:
        variant = self.variants.get(key) if key else None
        if variant == "gone":
            return None
        if variant == "maintenance":
            return maintenance_page(self.titles.get(key, "系统维护中"))
        if variant == "corrected":
            return self.corrected_page(key)
        return page


def _not_modified(headers, etag: str, last_modified: str) -> bool:
    """RFC 9110 §13.2.2: If-None-Match decides when present, else If-Modified-Since."""
    inm = headers.get("If-None-Match")
    if inm is not None:
        tags = {t.strip().removeprefix("W/") for t in inm.split(",")}
        return "*" in tags or etag in tags
    ims = headers.get("If-Modified-Since")
    if ims is None:
        return False
    try:
        return parsedate_to_datetime(last_modified) <= parsedate_to_datetime(ims)
    except (TypeError, ValueError):  # an unparsable date is ignored, as the RFC says
        return False


class _Handler(BaseHTTPRequestHandler):
    server_version = "nianbao-demo/1"
    state: _State
    verbose = False

    def _respond(self, method: str, extra_query: str = "") -> None:
        path, query = canonical(self.path)
        if extra_query:
            query = tuple(sorted(set(query) | set(parse_qsl(extra_query, keep_blank_values=True))))
        key, page = self.state.site.lookup(path, query)
        page = self.state.page_for(key, page) or NOT_FOUND
        body = page.body
        if page.absolute:  # the API answers absolute URLs on whatever host:port the client used
            body = body.replace(ORIGIN.encode(), f"http://{self.headers.get('Host', 'localhost')}".encode())
        conditional = "If-None-Match" in self.headers or "If-Modified-Since" in self.headers
        status, headers = page.status, [("Content-Type", page.content_type), *page.headers]
        if page.validators and status == 200:
            etag, last_modified = etag_of(body), http_date(page.modified or SITE_MODIFIED)
            headers += [("ETag", etag), ("Last-Modified", last_modified)]
            if method in ("GET", "HEAD") and _not_modified(self.headers, etag, last_modified):
                status, body = 304, b""
                headers = [h for h in headers if h[0] != "Content-Type"]
        self.state.requests.append(Request(method, self.path, status, conditional))
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if method != "HEAD" and status != 304:
            self.wfile.write(body)

    def do_GET(self):  # noqa: N802
        self._respond("GET")

    def do_HEAD(self):  # noqa: N802
        self._respond("HEAD")

    def do_POST(self):  # noqa: N802 — real jpage POSTs its form to dataproxy.jsp
        length = int(self.headers.get("Content-Length") or 0)
        self._respond("POST", self.rfile.read(length).decode("utf-8", "replace"))

    def log_message(self, format, *args):  # noqa: A002
        if self.verbose:
            sys.stderr.write("%s - %s\n" % (self.address_string(), format % args))


class DemoServer:
    """A running demo site. ``base_url`` like ``http://127.0.0.1:8700``; ``homepages`` are the
    portal homepages (absolute URLs, one per demo.PORTALS entry); use as a context manager or
    call ``stop()``.

    For tests: ``requests`` is the list of every answered request as ``Request(method, path,
    status, conditional)`` (clear it with ``requests.clear()``); ``set_variant(path, variant)``
    switches one page; ``reset()`` undoes every variant and clears the log.
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0, verbose: bool = False):
        from . import BLOCKED, LOOKALIKES, REPORTS
        from .families import PORTAL_MODULES

        titles = {e["path"]: e["title"] for e in REPORTS + LOOKALIKES + BLOCKED}
        self._state = _State(_Site(build_site(), build_routes()), titles)
        handler = type("DemoHandler", (_Handler,), {"state": self._state, "verbose": verbose})
        self.httpd = ThreadingHTTPServer((host, port), handler)
        self.httpd.daemon_threads = True
        self.host, self.port = self.httpd.server_address[:2]
        self.base_url = f"http://{self.host}:{self.port}"
        self.homepages = [self.base_url + m.PORTAL["homepage"] for m in PORTAL_MODULES.values()]
        self._thread = threading.Thread(target=self.httpd.serve_forever, name="demo-portal", daemon=True)
        self._thread.start()

    @property
    def requests(self) -> list[Request]:
        return self._state.requests

    def set_variant(self, path: str, variant: str | None) -> None:
        """Serve ``path`` (a page of the site, e.g. a REPORTS entry's path) as:

        - ``"corrected"``: the report re-published with content.CORRECTION_NOTE in its text: same
          URL, new bytes, new ETag, Last-Modified CORRECTED_MODIFIED (PDF/DOCX: the corrected file);
        - ``"gone"``: 404 Not Found;
        - ``"maintenance"``: 200 with a 系统维护中 page titled like the report;
        - ``None``: the original again.

        Raises KeyError for a path the site does not serve, ValueError for an unknown variant
        or a page that has no corrected version (a list, a look-alike)."""
        if variant not in VARIANTS + (None,):
            raise ValueError(f"variant must be one of {VARIANTS} or None, not {variant!r}")
        key = canonical(path)
        if key not in self._state.site.exact:
            raise KeyError(path)
        if variant == "corrected" and self._state.corrected_page(key) is None:
            raise ValueError(f"{path} has no corrected version")
        if variant is None:
            self._state.variants.pop(key, None)
        else:
            self._state.variants[key] = variant

    def reset(self) -> None:
        """Every page as built, an empty request log."""
        self._state.variants.clear()
        self._state.requests.clear()

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
