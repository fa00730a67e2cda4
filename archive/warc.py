"""WARC out and in: ``nianbao export-warc`` and ``nianbao import-warc``.

Export (``export_warc``) writes a WARC/1.1 file with warcio: a ``warcinfo``
record, then for every stored response of the ledger (rows with an HTTP status;
skipped links and connection errors have no response and are not WARC records)
a ``response`` record, its ``request`` record and a ``metadata`` record.

- Target URI: the URL that answered. Scrapy follows redirects and keeps only the
  final response, so a response whose ``final_url`` differs from the requested URL
  is written under ``final_url`` (what a replay tool must find when a page links
  it); the requested URL is kept in the metadata record. No 3xx record is made up:
  the redirect response itself was never kept.
- The HTTP header block is the headers as served, except that the archive keeps
  bodies decoded (Scrapy removes gzip/deflate and chunking): ``Content-Encoding``
  and ``Transfer-Encoding`` would make every reader decode the decoded body again,
  so they are written as ``X-Archive-Orig-Content-Encoding`` /
  ``X-Archive-Orig-Transfer-Encoding`` (pywb's prefix for original headers), and
  ``Content-Length`` is the length of the bytes written (the served value, when
  different, as ``X-Archive-Orig-Content-Length``). The unchanged header list is in
  the metadata record (``nianbao-headers``), so an import restores it exactly.
- A body already written earlier in the same file is written as a ``revisit``
  record (profile identical-payload-digest), as Heritrix and Browsertrix do: the
  ledger keeps every re-fetch of an unchanged page, the file keeps its bytes once.
- Request headers are not kept by the archive: the ``request`` record holds the
  method, the target and ``Host`` only (the warcinfo record says so).

Import (``import_warc``) reads WARCs written by other tools too (wget
``--warc-file``, Heritrix, Browsertrix/pywb, and this export). A file is read
twice: a first pass checks that it is a whole, readable WARC (block digests,
record lengths, gzip members) and collects the request and metadata records;
only then is anything written, every ``response`` (and resolvable ``revisit``)
record with an http(s) target going through ``archive.ingest.ingest``, all of one
file in one transaction. A damaged file raises ``WarcError`` and leaves the
archive as it was.
"""
from __future__ import annotations

import io
import json
import os
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http import HTTPStatus
from pathlib import Path
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeaders, StatusAndHeadersParserException
from warcio.timeutils import datetime_to_iso_date
from warcio.warcwriter import WARCWriter

from parsing.documents import sniff_kind

from .ingest import DOCUMENT_KINDS, ingest
from .raw import RawResponse
from .store import Archive

WARC_VERSION = "WARC/1.1"
# Headers that describe how the served bytes were encoded; the archive keeps bodies decoded.
ENCODING_HEADERS = ("content-encoding", "transfer-encoding")
ORIGINAL_HEADER_PREFIX = "X-Archive-Orig-"
# Statuses whose response has no body by definition (a 304 answers a conditional request).
BODILESS_STATUSES = (204, 304)
# Fields of the metadata record written next to each response (application/warc-fields).
META_PREFIX = "nianbao-"
REVISIT_IDENTICAL = ("http://netpreserve.org/warc/1.1/revisit/identical-payload-digest",
                     "http://netpreserve.org/warc/1.0/revisit/identical-payload-digest")
# The largest decoded body read from a WARC record, as the crawler's download limit (30 MB):
# a bigger one (or a gzip bomb in a Content-Encoding) is recorded as too_large, not read.
MAX_BODY_BYTES = 30 * 1024 * 1024
HTTP_SCHEMES = ("http://", "https://")
GZIP_MAGIC = b"\x1f\x8b"


class WarcError(Exception):
    """A WARC file that cannot be read (missing, not a WARC, truncated, corrupt)."""


# --- export -----------------------------------------------------------------------------------

class _ServedHeaders(StatusAndHeaders):
    """HTTP headers written as the bytes they were served as. The spider decodes header
    bytes as latin-1; warcio would percent-encode every non-ASCII value, which changes
    the header a replay shows (a GBK filename in Content-Disposition), so encode back."""

    def compute_headers_buffer(self, header_filter=None):
        text = self.to_str(header_filter)
        try:
            self.headers_buff = text.encode("latin-1") + b"\r\n"
        except UnicodeEncodeError:  # a header read from a WARC as UTF-8 text
            self.headers_buff = text.encode("utf-8") + b"\r\n"


def _warc_date(fetched_at: str) -> str:
    moment = _parse_time(fetched_at).astimezone(timezone.utc).replace(tzinfo=None)
    return datetime_to_iso_date(moment, use_micros=bool(moment.microsecond))


def _parse_time(value: str) -> datetime:
    moment = datetime.fromisoformat(value.strip())
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _status_line(status: int) -> str:
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return f"{status} Unknown"


def http_headers_for_stored_body(headers: list[tuple[str, str]], body: bytes | None) -> list[tuple[str, str]]:
    """The header block to write in front of a body the archive keeps decoded (module doc)."""
    out: list[tuple[str, str]] = []
    length_written = False
    for name, value in headers:
        low = name.lower()
        if low in ENCODING_HEADERS:
            out.append((ORIGINAL_HEADER_PREFIX + name, value))
        elif low == "content-length" and body is not None:
            if value.strip() != str(len(body)):
                out.append((ORIGINAL_HEADER_PREFIX + name, value))
            if not length_written:
                out.append(("Content-Length", str(len(body))))
                length_written = True
        else:
            out.append((name, value))
    if body is not None and not length_written:
        out.append(("Content-Length", str(len(body))))
    return out


def _meta_line(name: str, value) -> bytes:
    text = " ".join(str(value).split())  # warc-fields are one line each
    return f"{META_PREFIX}{name}: {text}\r\n".encode("utf-8")


def export_warc(archive: Archive, out_path: str | os.PathLike) -> int:
    """Write every stored response of ``archive`` to ``out_path`` (WARC/1.1, gzip per
    record when the name ends in .gz). Returns the number of responses written."""
    out_path = Path(out_path)
    partial = out_path.with_name(out_path.name + ".part")  # a crash leaves no half file under the real name
    rows = archive.conn.execute("""
        select responses.id, responses.url, responses.final_url, responses.method, responses.status,
               responses.headers, responses.body_sha256, responses.fetched_at, responses.route,
               responses.outcome, responses.title, responses.parent_url, portals.url
        from responses left join portals on portals.id = responses.portal_id
        where responses.status is not null
        order by responses.id
    """)
    written = 0
    first_capture: dict[str, tuple[str, str]] = {}  # body sha256 -> (target URI, WARC-Date)
    with open(partial, "wb") as stream:
        writer = WARCWriter(stream, gzip=out_path.name.endswith(".gz"), warc_version=WARC_VERSION)
        writer.write_record(writer.create_warcinfo_record(out_path.name, {
            "software": "nianbao (archive.warc, warcio)",
            "format": "WARC File Format 1.1",
            "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
            "description": "Responses kept by a nianbao archive. Bodies as served, decoded of gzip/chunked "
                           "(see X-Archive-Orig-* headers); request records hold method, target and Host "
                           "only (request headers are not kept); redirected responses are written under "
                           "their final URL, the requested URL is in the metadata record.",
        }))
        for (response_id, url, final_url, method, status, headers_json, sha, fetched_at, route, outcome, title,
             parent_url, portal_url) in rows:
            body = archive.get_body(sha) if sha else None
            if body is None and status not in BODILESS_STATUSES:
                continue  # a status without its body (never kept): nothing true to write
            target = final_url or url
            served = [tuple(h) for h in json.loads(headers_json)] if headers_json else []
            date = _warc_date(fetched_at)
            http_headers = _ServedHeaders(_status_line(status), http_headers_for_stored_body(served, body),
                                          protocol="HTTP/1.1")
            warc_headers = {"WARC-Date": date}
            if sha and sha in first_capture:
                refers_uri, refers_date = first_capture[sha]
                response = writer.create_revisit_record(
                    target, _payload_digest(body), refers_uri, refers_date, http_headers=http_headers,
                    warc_headers_dict=warc_headers)
            else:
                response = writer.create_warc_record(
                    target, "response", payload=io.BytesIO(body or b""), length=len(body or b""),
                    http_headers=http_headers, warc_headers_dict=warc_headers)
                if sha:
                    first_capture[sha] = (target, date)
            split = urlsplit(target)
            path = (split.path or "/") + (f"?{split.query}" if split.query else "")
            request = writer.create_warc_record(
                target, "request", http_headers=_ServedHeaders(f"{method or 'GET'} {path} HTTP/1.1",
                                                               [("Host", split.netloc)], is_http_request=True),
                warc_headers_dict={"WARC-Date": date})
            writer.write_request_response_pair(request, response)
            meta = b"".join(_meta_line(name, value) for name, value in (
                ("requested-url", url), ("route", route), ("portal-url", portal_url), ("parent-url", parent_url),
                ("link-title", title), ("outcome", outcome), ("response-id", response_id),
                ("headers", json.dumps(served, ensure_ascii=False)),
            ) if value not in (None, ""))
            writer.write_record(writer.create_warc_record(
                target, "metadata", payload=io.BytesIO(meta), length=len(meta),
                warc_content_type="application/warc-fields",
                warc_headers_dict={"WARC-Date": date,
                                   "WARC-Concurrent-To": response.rec_headers.get_header("WARC-Record-ID")}))
            written += 1
    os.replace(partial, out_path)
    return written


def _payload_digest(body: bytes) -> str:
    """sha1 in base32, the form warcio writes in WARC-Payload-Digest."""
    from warcio.utils import Digester

    digester = Digester("sha1")
    digester.update(body)
    return str(digester)


# --- import -----------------------------------------------------------------------------------

@dataclass
class _Context:
    """What the other records of a file say about one response: its request and metadata."""
    method: str | None = None
    referer: str | None = None
    meta: dict[str, str] = field(default_factory=dict)


@dataclass
class _Scan:
    by_response_id: dict[str, _Context] = field(default_factory=dict)   # request/metadata → WARC-Concurrent-To
    by_request_id: dict[str, _Context] = field(default_factory=dict)    # a request's own record id
    responses: int = 0


def _open(path: Path):
    try:
        return open(path, "rb")
    except OSError as exc:
        raise WarcError(f"{path}: cannot open: {exc.strerror or exc}") from None


def _records(path: Path, stream, check_digests: bool):
    """Records of the file; any failure to read one becomes a WarcError naming the file."""
    iterator = ArchiveIterator(stream, check_digests=check_digests, arc2warc=True)
    offset = 0
    try:
        for record in iterator:
            offset = iterator.offset  # where the record being read starts
            yield iterator, record
    except WarcError:
        raise
    except (ArchiveLoadFailed, StatusAndHeadersParserException, EOFError, OSError, ValueError) as exc:
        # zlib.error is an Exception subclass that is none of these: caught below
        raise WarcError(f"{path}: not a readable WARC file: {_one_line(exc)} (after offset {offset})") from None
    except Exception as exc:  # zlib.error from a damaged gzip member
        raise WarcError(f"{path}: not a readable WARC file: {type(exc).__name__}: {_one_line(exc)} "
                        f"(after offset {offset})") from None


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:300] or type(exc).__name__


def _scan(path: Path) -> _Scan:
    """First pass: the file is whole (every record as long as it says, block digests right)
    and which request/metadata record belongs to which response."""
    scan = _Scan()
    count = 0
    with _open(path) as stream:
        for iterator, record in _records(path, stream, check_digests=True):
            count += 1
            rec_type = record.rec_type
            record_id = record.rec_headers.get_header("WARC-Record-ID")
            concurrent = record.rec_headers.get_header("WARC-Concurrent-To")
            content = record.raw_stream.read() if rec_type == "metadata" else b""
            while record.raw_stream.read(1 << 16):
                pass
            missing = getattr(record.raw_stream, "limit", 0)
            offset = iterator.get_record_offset()
            if missing:
                raise WarcError(f"{path}: truncated: the {rec_type} record at offset {offset} "
                                f"lacks {missing} of its bytes")
            problems = [p for p in (record.digest_checker.problems if record.digest_checker else [])
                        # Tools disagree on the payload digest of chunked/encoded payloads (over the
                        # bytes on the wire or the entity); a wrong block digest means damaged bytes.
                        if not p.startswith("payload digest")]
            if problems:
                raise WarcError(f"{path}: corrupt {rec_type} record at offset {offset}: {problems[0]}")
            if rec_type in ("response", "revisit"):
                scan.responses += 1
                if _safe_time(record.rec_headers.get_header("WARC-Date")) is None:
                    raise WarcError(f"{path}: the {rec_type} record at offset {offset} has no valid WARC-Date")
            elif rec_type == "request" and record.http_headers:
                method = record.http_headers.protocol or None
                referer = record.http_headers.get_header("Referer")
                if record_id:
                    scan.by_request_id[record_id] = _Context(method, referer)
                if concurrent:
                    context = scan.by_response_id.setdefault(concurrent, _Context())
                    context.method, context.referer = method, referer
            elif rec_type == "metadata" and concurrent:
                fields = _nianbao_fields(content)
                if fields:
                    scan.by_response_id.setdefault(concurrent, _Context()).meta.update(fields)
    if not count:
        raise WarcError(f"{path}: no WARC records")
    return scan


def _nianbao_fields(content: bytes) -> dict[str, str]:
    """This project's fields of a metadata record (application/warc-fields); other tools'
    metadata (Heritrix's outlinks, hopsFromSeed …) says nothing ingest uses."""
    fields = {}
    for line in content.decode("utf-8", "replace").splitlines():
        name, colon, value = line.partition(":")
        if colon and name.startswith(META_PREFIX):
            fields[name[len(META_PREFIX):]] = value.strip()
    return fields


def _safe_time(value: str | None) -> datetime | None:
    try:
        return _parse_time(value)
    except (TypeError, ValueError, AttributeError):
        return None


def _iso_utc(value: str) -> str:
    """A WARC-Date as the archive writes times: ISO 8601 in UTC, seconds (fractions kept when given)."""
    moment = _parse_time(value).astimezone(timezone.utc)
    return moment.isoformat()


def _portal_url(url: str) -> str:
    split = urlsplit(url)
    return f"{split.scheme}://{split.netloc}/"


def _read_body(record) -> tuple[bytes | None, str | None, str | None]:
    """The payload decoded of chunking and Content-Encoding (warcio), at most MAX_BODY_BYTES.
    Returns (body, outcome, reason): an outcome (too_large, parse_error) when it is too large
    or cannot be decoded, with the body when there are bytes to keep."""
    try:
        body = record.content_stream().read(MAX_BODY_BYTES + 1)
    except Exception as exc:  # zlib.error, a broken chunk: the record is whole (pass 1) but its payload is not
        return None, "parse_error", f"payload could not be decoded: {type(exc).__name__}: {_one_line(exc)}"
    if len(body) > MAX_BODY_BYTES:
        return None, "too_large", f"body larger than {MAX_BODY_BYTES} bytes"
    coding = (record.http_headers.get_header("Content-Encoding") or "").lower()
    if "gzip" in coding and body.startswith(GZIP_MAGIC):
        # warcio hands back the bytes as they are when its first gunzip attempt fails
        return body, "parse_error", f"payload could not be decoded: Content-Encoding {coding}, damaged gzip data"
    return body, None, None


def _route(body: bytes, content_type: str | None, url: str) -> str | None:
    """Why a foreign capture's URL would have been fetched: an HTML page is read as a start
    page (ingest stores it as a report if it is one, else as a listing), a document as an
    attachment; anything else (images, scripts, styles) is not the archive's business."""
    kind = sniff_kind(body, content_type, url)
    if kind in ("html", "empty"):  # an empty 404 of a known report URL still says it is gone
        return "start"
    if kind in DOCUMENT_KINDS:
        return "attachment"
    return None


def import_warc(archive: Archive, path: str | os.PathLike) -> dict[str, int]:
    """Ingest every http(s) response of the WARC file ``path``; returns counts per ingest
    outcome, plus what was passed over (``ignored_*``, ``revisit_unresolved``)."""
    path = Path(path)
    scan = _scan(path)
    counts: Counter[str] = Counter()
    bodies_by_digest: dict[str, str] = {}   # WARC-Payload-Digest -> body sha256 in the archive
    with _open(path) as stream, archive.transaction():
        for _, record in _records(path, stream, check_digests=False):
            if record.rec_type not in ("response", "revisit"):
                continue
            raw, why_not = _raw_response(archive, record, scan, bodies_by_digest)
            if raw is None:
                counts[why_not] += 1
                continue
            result = ingest(archive, raw)
            digest = record.rec_headers.get_header("WARC-Payload-Digest")
            if digest and raw.body is not None and record.rec_type == "response":
                bodies_by_digest[digest] = raw.sha256
            counts[result.outcome] += 1
    return dict(counts)


def _raw_response(archive: Archive, record, scan: _Scan,
                  bodies_by_digest: dict[str, str]) -> tuple[RawResponse | None, str]:
    """The record as the one input of ingest, or (None, why it is passed over)."""
    headers = record.rec_headers
    target = headers.get_header("WARC-Target-URI") or ""
    if not target.lower().startswith(HTTP_SCHEMES):
        return None, "ignored_not_http"          # Heritrix's dns: records, urn: resources
    http = record.http_headers
    try:
        status = int(http.get_statuscode()) if http else None
    except (TypeError, ValueError):
        status = None
    if status is None:
        return None, "ignored_no_http_response"
    if 300 <= status < 400 and status != 304:
        # The redirect itself: a crawl follows it and records the final response under the
        # requested URL; here the final response is its own record, ingested under its own URL.
        return None, "ignored_redirect"
    record_id = headers.get_header("WARC-Record-ID")
    context = scan.by_response_id.get(record_id) or scan.by_request_id.get(
        headers.get_header("WARC-Concurrent-To") or "") or _Context()
    served = list(http.headers)
    meta = context.meta
    if meta.get("headers"):
        try:  # this project's export: the header list as served (the block was adjusted, see export)
            served = [tuple(h) for h in json.loads(meta["headers"])]
        except ValueError:
            pass
    content_type = next((v for k, v in served if k.lower() == "content-type"), None)
    outcome = reason = None
    if record.rec_type == "revisit":
        if status in BODILESS_STATUSES:
            body = None
        else:
            digest = headers.get_header("WARC-Payload-Digest")
            sha = bodies_by_digest.get(digest or "")
            if sha is None or headers.get_header("WARC-Profile") not in REVISIT_IDENTICAL:
                return None, "revisit_unresolved"
            body = archive.get_body(sha)
    elif status in BODILESS_STATUSES:
        body = None
    else:
        body, outcome, reason = _read_body(record)
    route = meta.get("route")
    if route is None and body is not None:
        route = _route(body, content_type, target)
        if route is None:
            return None, "ignored_not_page"
    route = route or "start"
    parent_url = meta.get("parent-url")
    if parent_url is None and route == "attachment" and context.referer and _holds_report(archive, context.referer):
        # the page that linked the file (wget and browsers send it as Referer): a crawl keeps a
        # report read from its attachment under that page's URL; a list page is no such parent
        parent_url = context.referer
    raw = RawResponse(
        url=meta.get("requested-url") or target, final_url=target, status=status, headers=served, body=body,
        method=context.method or "GET", fetched_at=_iso_utc(headers.get_header("WARC-Date")), route=route,
        portal_url=meta.get("portal-url") or _portal_url(target), link_title=meta.get("link-title"),
        parent_url=parent_url,
        outcome=outcome, reason=reason)
    return raw, ""


def _holds_report(archive: Archive, url: str) -> bool:
    """``url`` is a report page, or a page whose report is its attachment (as ingested so far)."""
    if archive.report_state(url) is not None:
        return True
    row = archive.conn.execute("select outcome from responses where url = ? order by id desc limit 1",
                               [url]).fetchone()
    return bool(row) and row[0] == "attachment_only"
