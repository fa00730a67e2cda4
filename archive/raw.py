"""A raw record: one response as served (or one decision not to fetch), with the
context of the fetch. The one input of ``archive.ingest.ingest``, whether it
comes from a crawl, from ``reparse`` (the archive's own ledger) or from a WARC
file; also the format of the test fixtures that keep whole responses.

This module imports nothing from the rest of nianbao, so the spider can build
records without depending on how the archive keeps them.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timezone

# Routes: why the URL was requested.
ROUTES = ("start", "discovery", "listing", "report", "attachment")


def now_iso() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


@dataclass
class RawResponse:
    url: str                                   # the URL requested (before redirects)
    status: int | None = None                  # None: no response (see outcome/reason)
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes | None = None
    final_url: str | None = None               # after redirects; None = url
    method: str = "GET"
    fetched_at: str = field(default_factory=now_iso)
    route: str = "report"
    portal_url: str | None = None
    link_title: str | None = None              # the text of the link that led here
    link_date: str | None = None               # the date a list printed beside that link (YYYY-MM-DD)
    parent_url: str | None = None              # for an attachment: the page that linked it
    outcome: str | None = None                 # set by the fetcher only when nothing was fetched or it failed
    reason: str | None = None
    run_id: int | None = None
    request_body: bytes | None = None          # the form a POST sent (Hanweb's dataproxy.jsp paging)

    def header(self, name: str) -> str | None:
        """First value of header ``name`` (case-insensitive)."""
        name = name.lower()
        for key, value in self.headers:
            if key.lower() == name:
                return value
        return None

    @property
    def content_type(self) -> str | None:
        return self.header("Content-Type")

    @property
    def sha256(self) -> str | None:
        return hashlib.sha256(self.body).hexdigest() if self.body is not None else None

    @property
    def where(self) -> str:
        return self.final_url or self.url


def parse_http_message(data: bytes, url: str, **context) -> RawResponse:
    """A raw HTTP/1.x response message (status line, headers, blank line, body: what a
    WARC response record holds, and how test fixtures keep whole responses) as a record."""
    import io

    from warcio.statusandheaders import StatusAndHeadersParser

    stream = io.BytesIO(data)
    head = StatusAndHeadersParser(["HTTP/1.0", "HTTP/1.1"], verify=False).parse(stream)
    return RawResponse(url=url, status=int(head.get_statuscode()), headers=list(head.headers),
                       body=stream.read(), **context)
