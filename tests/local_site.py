"""A throwaway web site on 127.0.0.1 for crawl tests: path → (status, headers, body).

A key ending in ``?*`` answers that path with any query. Only GET is served (a POST gets
the 501 of Python's http.server, as a portal that refuses POST would answer).

Pages are set by the test (saved real pages, hostile shapes); the server records every
request. Bodies may be callables of the request path, for generated pages (pagination traps).
"""
from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class LocalSite:
    def __init__(self, pages: dict, host: str = "127.0.0.1"):
        self.pages = pages
        self.requests: list[tuple[str, str]] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                site.requests.append(("GET", self.path))
                entry = site.pages.get(self.path, site.pages.get(self.path.split("?")[0] + "?*"))
                if callable(entry):
                    entry = entry(self.path)
                if entry is None:
                    status, headers, body = 404, {"Content-Type": "text/html"}, b"<h1>404</h1>"
                else:
                    status, headers, body = entry
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                if "Content-Length" not in headers:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer((host, 0), Handler)
        self.base_url = f"http://{host}:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, path: str) -> str:
        return self.base_url + path

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def html(body: str | bytes, status: int = 200, charset: str = "utf-8", **headers) -> tuple:
    data = body.encode(charset) if isinstance(body, str) else body
    return status, {"Content-Type": f"text/html; charset={charset}", **headers}, data
