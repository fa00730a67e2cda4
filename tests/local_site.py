"""A throwaway web site on 127.0.0.1 for crawl tests: path → (status, headers, body).

A key ending in ``?*`` answers that path with any query. Only GET is served (a POST gets
the 501 of Python's http.server, as a portal that refuses POST would answer).

Pages are set by the test (saved real pages, hostile shapes); the server records every
request (and when it came, in ``times``). Entries may be callables of the request path, for
generated pages (pagination traps). A body that is an iterator of chunks is sent with
``Transfer-Encoding: chunked`` (an endless one streams until the client hangs up).

``free_port()`` is a port nothing listens on yet, for servers a test starts itself (Datasette,
redis-server).

``MappedResolver`` is a DNS resolver for crawls (Scrapy's TWISTED_DNS_RESOLVER, the setting once
called DNS_RESOLVER) that answers made-up names from the NIANBAO_TEST_HOSTS setting
(``name=address,name=address``) and fails every other name: no test asks a real DNS server.
"""
from __future__ import annotations

import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from scrapy.resolver import CachingThreadedResolver
from twisted.internet import defer
from twisted.internet.error import DNSLookupError


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LocalSite:
    def __init__(self, pages: dict, host: str = "127.0.0.1"):
        self.pages = pages
        self.requests: list[tuple[str, str]] = []
        self.times: list[tuple[float, str]] = []   # (time.monotonic(), path) of every request
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                site.requests.append(("GET", self.path))
                site.times.append((time.monotonic(), self.path))
                entry = site.pages.get(self.path, site.pages.get(self.path.split("?")[0] + "?*"))
                if callable(entry):
                    entry = entry(self.path)
                if entry is None:
                    status, headers, body = 404, {"Content-Type": "text/html"}, b"<h1>404</h1>"
                else:
                    status, headers, body = entry
                if not isinstance(body, (bytes, bytearray)):
                    self.stream(status, headers, body)
                    return
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                if "Content-Length" not in headers:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def stream(self, status, headers, chunks):
                self.protocol_version = "HTTP/1.1"  # chunked needs 1.1
                self.close_connection = True
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                try:
                    for chunk in chunks:
                        self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                    self.wfile.write(b"0\r\n\r\n")
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client hung up (the crawler's size limit)

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


class MappedResolver(CachingThreadedResolver):
    def __init__(self, reactor, cache_size, timeout, hosts: dict[str, str]):
        super().__init__(reactor, cache_size, timeout)
        self.hosts = hosts

    @classmethod
    def from_crawler(cls, crawler, reactor):
        pairs = [p.split("=", 1) for p in crawler.settings.get("NIANBAO_TEST_HOSTS", "").split(",") if "=" in p]
        return cls(reactor, 0, 5.0, {name.strip(): address.strip() for name, address in pairs})

    def getHostByName(self, name, timeout=()):  # noqa: N802 (Twisted's name)
        if name in self.hosts:
            return defer.succeed(self.hosts[name])
        if name.replace(".", "").isdigit():
            return defer.succeed(name)
        return defer.fail(DNSLookupError(f"{name}: not a test host"))
