"""WARC out and in: ``nianbao export-warc`` and ``nianbao import-warc``.

Export (``export_warc``) writes a WARC/1.1 file with warcio: a ``warcinfo`` record,
then every row of the ledger in order: a row with a response becomes a ``request``
record, a ``response`` or ``revisit`` record and a ``metadata`` record; a row without
one (a skipped look-alike, a connection error, a budget, a report no longer listed)
becomes a ``metadata`` record alone. An import of the file gives back the same ledger,
reports, portals and runs (round trip: tests/test_warc_fidelity.py).

- Crawl context, as Heritrix and Browsertrix carry it: the ``warcinfo`` record holds
  one ``nianbao-portal`` field per portal (its URL, name, province, city, county,
  code …, as JSON) and one ``nianbao-run`` field per crawl run; every other record
  names it in ``WARC-Warcinfo-ID``. Each ``metadata`` record (``WARC-Concurrent-To``
  the response) holds the ledger row's context: requested URL, route, portal, run,
  the link's title and date, the linking page, the outcome and the headers as served.
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
- A 304 is a ``revisit`` record with WARC 1.1's ``server-not-modified`` profile that
  refers (``WARC-Refers-To-Target-URI``/``-Date``) to the last 200 capture of the
  same URL, with an empty block: a replay tool (pywb) then serves that capture's
  status, headers and bytes, which is what the 304 confirmed. The 304's own headers
  are in the metadata record. (A 304 with no earlier 200 in the archive stays a
  bodiless ``response`` record.)
- Request headers are not kept by the archive: the ``request`` record holds the
  method, the target, ``Host`` and, for a POST whose form the archive kept
  (``responses.request_body``), that body, so a replay tool tells page 1 from page 2.

Import (``import_warc``) reads WARCs written by other tools too (wget
``--warc-file``, Heritrix, Browsertrix/pywb, and this export). A file is read twice:
a first pass checks that it is a whole, readable WARC (every record as long as its
Content-Length, block digests right, the last gzip member ends cleanly, the file
ends with a record's end) and collects the warcinfo, request and metadata records;
only then is anything written, every ``response`` (and resolvable ``revisit``) record
with an http(s) target going through ``archive.ingest.ingest``, all of one file in
one transaction. A damaged file raises ``WarcError`` and leaves the archive as it
was. A record already in the archive (same URL, date, method, status and body) is
counted as ``already_archived`` and not added again. Every record is read with a
size limit (MAX_BODY_BYTES, the crawl's download limit): a huge or inflating record
costs time, not memory.
"""
from __future__ import annotations

import base64
import gzip
import hashlib
import io
import json
import logging
import os
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http import HTTPStatus
from pathlib import Path
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date
from warcio.utils import Digester
from warcio.warcwriter import WARCWriter

from parsing.documents import sniff_kind

from .ingest import DOCUMENT_KINDS, ingest
from .raw import RawResponse
from .store import Archive

logger = logging.getLogger(__name__)

WARC_VERSION = "WARC/1.1"
# Headers that describe how the served bytes were encoded; the archive keeps bodies decoded.
ENCODING_HEADERS = ("content-encoding", "transfer-encoding")
ORIGINAL_HEADER_PREFIX = "X-Archive-Orig-"
# Statuses whose response has no body by definition (a 304 answers a conditional request).
BODILESS_STATUSES = (204, 304)
# Fields of this project's warcinfo and metadata records (application/warc-fields).
META_PREFIX = "nianbao-"
# Revisit profiles by their last path segment: WARC 1.1, 1.0 and the 0.17/0.18 drafts name
# the same two profiles under their own version's URI.
PROFILE_NOT_MODIFIED = "http://netpreserve.org/warc/1.1/revisit/server-not-modified"
NOT_MODIFIED_SUFFIX = "/revisit/server-not-modified"
# The largest decoded body (or warc-fields block, or request body) read from a WARC record,
# as the crawler's download limit (30 MB): a bigger one is recorded as too_large, not read.
MAX_BODY_BYTES = 30 * 1024 * 1024
HTTP_SCHEMES = ("http://", "https://")
GZIP_MAGIC = b"\x1f\x8b"
# Every WARC record ends with two CRLFs: a file that does not was cut inside its last record.
RECORD_END = b"\r\n\r\n"
READ_CHUNK = 1 << 16
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
# Portal columns carried in the warcinfo record (whichever the archive has) and restored.
PORTAL_FIELDS = ("url", "name", "province", "city", "county", "family", "code", "site_id", "division_code",
                 "first_seen", "last_crawled")
# A revisit whose original cannot be found is still known not to be a page by its type:
# stylesheets, scripts, images, fonts and media are not the archive's business.
NOT_PAGE_MIME_PREFIXES = ("image/", "font/", "audio/", "video/", "text/css", "text/javascript",
                          "application/javascript", "application/x-javascript", "application/font")
NOT_PAGE_SUFFIXES = (".css", ".js", ".png", ".jpg", ".jpeg", ".gif", ".svg", ".ico", ".webp", ".bmp",
                     ".woff", ".woff2", ".ttf", ".eot", ".mp3", ".mp4", ".swf")


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


class _Writer(WARCWriter):
    """warcio's writer, without a WARC-Payload-Digest on metadata records: a warc-fields
    block has no payload (WARC 1.1 §5.9 defines it for HTTP messages), and fastwarc and
    warcat check such a digest against an empty payload and fail the record."""
    NO_PAYLOAD_DIGEST_TYPES = ("warcinfo", "revisit", "metadata")


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


def _fields_block(fields) -> bytes:
    """An application/warc-fields block: one ``nianbao-NAME: value`` line per field."""
    lines = []
    for name, value in fields:
        if value is None or value == "":
            continue
        text = " ".join(str(value).split())  # warc-fields are one line each
        lines.append(f"{META_PREFIX}{name}: {text}\r\n")
    return "".join(lines).encode("utf-8")


def _columns(conn, table: str) -> list[str]:
    return [row[1] for row in conn.execute(f"pragma table_info([{table}])")]


def _rows(conn, sql: str, params=()) -> list[dict]:
    cursor = conn.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor]


@dataclass
class _Capture:
    """A response record already written: what a later revisit refers to."""
    uri: str
    date: str
    digest: str


def export_warc(archive: Archive, out_path: str | os.PathLike) -> int:
    """Write the archive's ledger to ``out_path`` (WARC/1.1, gzip per record when the
    name ends in .gz). Returns the number of responses written."""
    out_path = Path(out_path)
    partial = out_path.with_name(out_path.name + ".part")  # a crash leaves no half file under the real name
    conn = archive.conn
    portal_columns = [c for c in PORTAL_FIELDS if c in _columns(conn, "portals")]
    portals = _rows(conn, f"select {', '.join(f'[{c}]' for c in portal_columns)} from portals order by id")
    runs = _rows(conn, "select * from crawl_runs order by id")
    has_request_body = "request_body" in _columns(conn, "responses")
    rows = conn.execute(f"""
        select responses.id, responses.url, responses.final_url, responses.method, responses.status,
               responses.headers, responses.body_sha256, responses.fetched_at, responses.route,
               responses.outcome, responses.reason, responses.title, responses.parent_url, responses.link_date,
               responses.run_id, portals.url, {'responses.request_body' if has_request_body else 'null'}
        from responses left join portals on portals.id = responses.portal_id
        order by responses.id
    """)
    written = 0
    by_body: dict[str, _Capture] = {}      # body sha256 -> its first capture in the file
    last_ok: dict[str, _Capture] = {}      # URL -> its last 200 capture in the file
    with open(partial, "wb") as stream:
        writer = _Writer(stream, gzip=out_path.name.endswith(".gz"), warc_version=WARC_VERSION)
        info = _fields_block([("portal", json.dumps(p, ensure_ascii=False)) for p in portals]
                             + [("run", json.dumps(r, ensure_ascii=False)) for r in runs])
        info = b"".join(f"{name}: {value}\r\n".encode() for name, value in (
            ("software", "nianbao (archive.warc, warcio)"),
            ("format", "WARC File Format 1.1"),
            ("conformsTo", "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/"),
            ("description", "The ledger of a nianbao archive. Bodies as served, decoded of gzip/chunked "
                            "(see X-Archive-Orig-* headers); request records hold method, target, Host and a "
                            "POST's form only (request headers are not kept); redirected responses are written "
                            "under their final URL, the requested URL is in the metadata record; a 304 is a "
                            "server-not-modified revisit of the URL's last 200 capture; nianbao-portal and "
                            "nianbao-run fields: the archive's portals and crawl runs."),
        )) + info
        warcinfo = writer.create_warc_record("", "warcinfo", payload=io.BytesIO(info), length=len(info),
                                             warc_headers_dict={"WARC-Filename": out_path.name})
        writer.write_record(warcinfo)
        warcinfo_id = warcinfo.rec_headers.get_header("WARC-Record-ID")
        for (response_id, url, final_url, method, status, headers_json, sha, fetched_at, route, outcome, reason,
             title, parent_url, link_date, run_id, portal_url, request_body) in rows:
            body = archive.get_body(sha) if sha else None
            target = final_url or url
            date = _warc_date(fetched_at)
            served = [tuple(h) for h in json.loads(headers_json)] if headers_json else []
            context = [("requested-url", url), ("route", route), ("portal-url", portal_url), ("run", run_id),
                       ("parent-url", parent_url), ("link-title", title), ("link-date", link_date),
                       ("outcome", outcome), ("reason", reason), ("response-id", response_id),
                       ("body-sha256", sha)]
            common = {"WARC-Date": date, "WARC-Warcinfo-ID": warcinfo_id}
            if status is None or (body is None and status not in BODILESS_STATUSES):
                # a decision without a response, or a status whose body was never kept:
                # the ledger row alone, so an import keeps what the archive knew
                block = _fields_block(context + [("method", method), ("status", status),
                                                 ("final-url", final_url if final_url != url else None),
                                                 ("headers", headers_json if served else None)])
                writer.write_record(writer.create_warc_record(
                    url, "metadata", payload=io.BytesIO(block), length=len(block),
                    warc_content_type="application/warc-fields", warc_headers_dict=common))
                continue
            http_headers = _ServedHeaders(_status_line(status), http_headers_for_stored_body(served, body),
                                          protocol="HTTP/1.1")
            confirmed = last_ok.get(target) if status == 304 else None
            if confirmed:
                response = writer.create_warc_record(target, "revisit", warc_headers_dict={
                    **common, "WARC-Profile": PROFILE_NOT_MODIFIED,
                    "WARC-Refers-To-Target-URI": confirmed.uri, "WARC-Refers-To-Date": confirmed.date})
            elif sha and sha in by_body:
                first = by_body[sha]
                response = writer.create_revisit_record(target, first.digest, first.uri, first.date,
                                                        http_headers=http_headers, warc_headers_dict=common)
            else:
                response = writer.create_warc_record(
                    target, "response", payload=io.BytesIO(body or b""), length=len(body or b""),
                    http_headers=http_headers, warc_headers_dict=common)
                if sha:
                    by_body[sha] = _Capture(target, date, response.rec_headers.get_header("WARC-Payload-Digest"))
            if status == 200 and body is not None:
                last_ok[target] = _Capture(target, date, payload_digest(body))
            writer.write_request_response_pair(_request_record(writer, target, method, request_body, common),
                                               response)
            block = _fields_block(context + [("headers", json.dumps(served, ensure_ascii=False))])
            writer.write_record(writer.create_warc_record(
                target, "metadata", payload=io.BytesIO(block), length=len(block),
                warc_content_type="application/warc-fields",
                warc_headers_dict={**common,
                                   "WARC-Concurrent-To": response.rec_headers.get_header("WARC-Record-ID")}))
            written += 1
    os.replace(partial, out_path)
    return written


def _request_record(writer, target: str, method: str | None, body: bytes | None, warc_headers: dict):
    split = urlsplit(target)
    path = (split.path or "/") + (f"?{split.query}" if split.query else "")
    headers = [("Host", split.netloc)]
    if body:
        body = bytes(body) if not isinstance(body, str) else body.encode("utf-8")
        # the spider POSTs forms with Scrapy's FormRequest: url-encoded, as a browser does
        headers += [("Content-Type", "application/x-www-form-urlencoded"), ("Content-Length", str(len(body)))]
    return writer.create_warc_record(
        target, "request", payload=io.BytesIO(body or b""), length=len(body or b""),
        http_headers=_ServedHeaders(f"{method or 'GET'} {path} HTTP/1.1", headers, is_http_request=True),
        warc_headers_dict=warc_headers)


def payload_digest(body: bytes) -> str:
    """sha1 in base32, the form warcio writes in WARC-Payload-Digest."""
    digester = Digester("sha1")
    digester.update(body)
    return str(digester)


def _normal_digest(value: str | None) -> str | None:
    """``sha1:BASE32`` whatever the writer's case or encoding (some write base16)."""
    if not value or ":" not in value:
        return None
    algorithm, _, text = value.strip().partition(":")
    text = text.strip()
    if len(text) == 40:
        try:
            text = base64.b32encode(bytes.fromhex(text)).decode()
        except ValueError:
            pass
    return f"{algorithm.lower()}:{text.upper()}"


# --- import: reading a file -------------------------------------------------------------------

class _TailStream(io.RawIOBase):
    """A stream that remembers its last bytes (did the file end with a record's end?)."""

    def __init__(self, inner):
        self.inner = inner
        self.tail = b""
        self.total = 0      # bytes read (uncompressed)
        self.block_end = 0  # where the block of the last record read ends (set by _scan)
        self.error: Exception | None = None

    def readable(self):
        return True

    def read(self, size=-1):
        try:
            data = self.inner.read(size)
        except Exception as exc:  # EOFError of a cut gzip member, BadGzipFile, zlib.error: warcio's
            self.error = exc      # readers swallow some of them, so the stream says so at the end
            return b""
        if data:
            self.tail = (self.tail + data)[-len(RECORD_END):]
            self.total += len(data)
        return data

    def readinto(self, buffer):
        data = self.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)


def _open(path: Path) -> _TailStream:
    """The file's WARC records as one uncompressed stream. Gzip goes through Python's gzip
    module rather than warcio's reader: it reads a gzip member per record and a whole-file
    gzip alike (warcio refuses the latter, fastwarc reads it), and it says when the last
    member is cut (EOFError), which warcio passes over."""
    try:
        raw = open(path, "rb")
    except OSError as exc:
        raise WarcError(f"{path}: cannot open: {exc.strerror or exc}") from None
    magic = raw.read(2)
    raw.seek(0)
    return _TailStream(gzip.GzipFile(fileobj=raw, mode="rb") if magic == GZIP_MAGIC else raw)


@dataclass
class _Position:
    offset: int = 0   # where the record being read starts (uncompressed)


def _records(path: Path, stream: _TailStream, check_digests: bool, position: _Position | None = None):
    """Records of the file, each read to its end by warcio before the next; at the end of
    the file, a WarcError unless it ends with a record's end. Errors of reading come out of
    here or of the consumer's reads: ``_reading`` makes them WarcErrors."""
    position = position or _Position()
    iterator = ArchiveIterator(stream, check_digests=check_digests, arc2warc=True)
    last_format = None
    with _reading(path, position):
        for record in iterator:
            position.offset = iterator.offset
            last_format = record.format
            yield iterator, record
    if isinstance(stream.error, EOFError):
        raise WarcError(f"{path}: truncated: the file ends inside a gzip member after uncompressed offset "
                        f"{position.offset} ({_one_line(stream.error)})")
    if stream.error is not None:
        raise WarcError(f"{path}: not a readable WARC file: {type(stream.error).__name__}: "
                        f"{_one_line(stream.error)} (after uncompressed offset {position.offset})")
    if last_format and last_format.startswith("warc") and (
            stream.tail != RECORD_END or stream.total < stream.block_end + len(RECORD_END)):
        raise WarcError(f"{path}: truncated: the record at uncompressed offset {position.offset} does not end "
                        f"(the file stops before its closing CRLFs)")


@contextmanager
def _reading(path: Path, position: _Position):
    """Any failure to read the file as one line naming it: warcio and gzip raise assorted
    errors on malformed input (EOFError, zlib.error, ValueError, even AttributeError)."""
    try:
        yield
    except WarcError:
        raise
    except EOFError as exc:  # gzip: the last member stops before its end
        raise WarcError(f"{path}: truncated: the file ends inside a gzip member after uncompressed offset "
                        f"{position.offset} ({_one_line(exc)})") from None
    except Exception as exc:
        raise WarcError(f"{path}: not a readable WARC file: {type(exc).__name__}: {_one_line(exc)} "
                        f"(after uncompressed offset {position.offset})") from None


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def _read_limited(stream) -> bytes | None:
    """At most MAX_BODY_BYTES of a record's block (None when it is longer); the rest is
    left for warcio to skip in chunks."""
    limit = MAX_BODY_BYTES
    chunks, size = [], 0
    while size <= limit:  # in chunks: one read(limit) makes warcio's readers hold several copies
        chunk = stream.read(READ_CHUNK)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        size += len(chunk)
    return None


@dataclass
class _Context:
    """What the other records of a file say about one response: its request and metadata."""
    method: str | None = None
    referer: str | None = None
    request_body: bytes | None = None
    meta: dict[str, str] = field(default_factory=dict)


@dataclass
class _Scan:
    by_response_id: dict[str, _Context] = field(default_factory=dict)   # request/metadata → WARC-Concurrent-To
    by_request_id: dict[str, _Context] = field(default_factory=dict)    # a request's own record id
    warcinfo: dict[str, dict] = field(default_factory=dict)             # warcinfo record id → its nianbao fields
    responses: int = 0
    oversized: int = 0                                                  # warc-fields blocks not read


def _scan(path: Path) -> _Scan:
    """First pass: the file is whole (every record as long as it says, block digests right,
    the end of the file is the end of a record) and which request/metadata record belongs
    to which response."""
    scan = _Scan()
    count = 0
    stream = _open(path)
    position = _Position()
    with stream.inner, _reading(path, position):
        for iterator, record in _records(path, stream, check_digests=True, position=position):
            count += 1
            rec_type = record.rec_type
            headers = record.rec_headers
            record_id = headers.get_header("WARC-Record-ID")
            concurrent = headers.get_header("WARC-Concurrent-To")
            content = None
            if rec_type in ("metadata", "warcinfo") or (rec_type == "request" and record.http_headers
                                                         and (record.http_headers.protocol or "") == "POST"):
                content = _read_limited(record.raw_stream)
                if content is None:
                    scan.oversized += 1
                    logger.warning("%s: the %s record at offset %d is larger than %d bytes: not read",
                                   path, rec_type, iterator.offset, MAX_BODY_BYTES)
            while record.raw_stream.read(READ_CHUNK):
                pass
            missing = getattr(record.raw_stream, "limit", 0)
            offset = iterator.offset
            # the block ends where warcio's reader stands: what it read, less what it holds unread
            stream.block_end = stream.total - iterator.reader.rem_length()
            if missing:
                raise WarcError(f"{path}: truncated: the {rec_type} record at uncompressed offset {offset} "
                                f"lacks {missing} of its bytes")
            if record.format.startswith("warc") and (headers.get_header("Content-Length") is None
                                                     or not record_id or not headers.get_header("WARC-Date")):
                raise WarcError(f"{path}: the {rec_type} record at uncompressed offset {offset} lacks a mandatory "
                                f"field (WARC-Record-ID, WARC-Date, Content-Length)")
            problems = [p for p in (record.digest_checker.problems if record.digest_checker else [])
                        # Tools disagree on the payload digest of chunked/encoded payloads (over the
                        # bytes on the wire or the entity); a wrong block digest means damaged bytes.
                        if not p.startswith("payload digest")]
            if problems:
                raise WarcError(f"{path}: corrupt {rec_type} record at uncompressed offset {offset}: {problems[0]}")
            if rec_type in ("response", "revisit"):
                scan.responses += 1
                if _safe_time(headers.get_header("WARC-Date")) is None:
                    raise WarcError(f"{path}: the {rec_type} record at uncompressed offset {offset} "
                                    f"has no valid WARC-Date")
            elif rec_type == "request" and record.http_headers:
                context = _Context(record.http_headers.protocol or None, record.http_headers.get_header("Referer"),
                                   content or None)
                if record_id:
                    scan.by_request_id[record_id] = context
                if concurrent:
                    known = scan.by_response_id.setdefault(concurrent, _Context())
                    known.method, known.referer, known.request_body = (context.method, context.referer,
                                                                       context.request_body)
            elif rec_type == "metadata" and content:
                fields = _nianbao_fields(content)
                if fields and concurrent:
                    scan.by_response_id.setdefault(concurrent, _Context()).meta.update(
                        {k: v[-1] for k, v in fields.items()})
            elif rec_type == "warcinfo" and content and record_id:
                fields = _nianbao_fields(content)
                if fields:
                    scan.warcinfo[record_id] = fields
    if not count:
        raise WarcError(f"{path}: no WARC records")
    return scan


def _nianbao_fields(content: bytes) -> dict[str, list[str]]:
    """This project's fields of a warc-fields block (each name may repeat); other tools'
    metadata (Heritrix's outlinks, hopsFromSeed …) says nothing ingest uses."""
    fields: dict[str, list[str]] = {}
    for line in content.decode("utf-8", "replace").splitlines():
        name, colon, value = line.partition(":")
        if colon and name.startswith(META_PREFIX):
            fields.setdefault(name[len(META_PREFIX):], []).append(value.strip())
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


def _declares_not_a_page(content_type: str | None, url: str) -> bool:
    """A capture whose Content-Type or URL suffix says stylesheet, script, image, font or media."""
    mime = (content_type or "").split(";")[0].strip().lower()
    if mime:
        return mime.startswith(NOT_PAGE_MIME_PREFIXES)
    return urlsplit(url).path.lower().endswith(NOT_PAGE_SUFFIXES)


# --- import: writing --------------------------------------------------------------------------

@dataclass
class ImportSession:
    """What the files of one import command have stored so far: the revisits of a later
    file (wget --warc-dedup writes them) find their originals in an earlier one.
    Maps to the body's sha256 in the archive."""
    by_record_id: dict[str, str] = field(default_factory=dict)
    by_capture: dict[tuple[str, str], str] = field(default_factory=dict)   # (target URI, WARC-Date in UTC)
    by_digest: dict[str, str] = field(default_factory=dict)                # normalised WARC-Payload-Digest

    def merge(self, other: "ImportSession") -> None:
        self.by_record_id.update(other.by_record_id)
        self.by_capture.update(other.by_capture)
        self.by_digest.update(other.by_digest)

    def note(self, record, sha: str) -> None:
        headers = record.rec_headers
        record_id = headers.get_header("WARC-Record-ID")
        if record_id:
            self.by_record_id[record_id] = sha
        self.by_capture[(headers.get_header("WARC-Target-URI"), _iso_utc(headers.get_header("WARC-Date")))] = sha
        digest = _normal_digest(headers.get_header("WARC-Payload-Digest"))
        if digest:
            self.by_digest[digest] = sha


def import_warc(archive: Archive, path: str | os.PathLike, session: ImportSession | None = None) -> dict[str, int]:
    """Ingest every http(s) response of the WARC file ``path``; returns counts per ingest
    outcome, plus what was passed over (``already_archived``, ``ignored_*``,
    ``revisit_unresolved``). ``session``: shared by the files of one command."""
    path = Path(path)
    scan = _scan(path)
    session = session if session is not None else ImportSession()
    found = ImportSession()    # this file's originals, merged into the session once committed
    counts: Counter[str] = Counter()
    if scan.oversized:
        counts["ignored_too_large"] += scan.oversized
    request_body_column = "request_body" in _columns(archive.conn, "responses")
    stream = _open(path)
    with stream.inner, archive.transaction():
        runs_by_warcinfo = {record_id: _restore_context(archive, fields)
                            for record_id, fields in scan.warcinfo.items()}
        current_runs: dict[str, int] = {}
        # a ledger may hold the same decision twice in one second (a link on two pages): the
        # k-th copy in the file is in the archive when the archive held k before this file
        seen: Counter[tuple] = Counter()
        added: Counter[tuple] = Counter()
        for _, record in _records(path, stream, check_digests=False):
            headers = record.rec_headers
            if record.rec_type == "warcinfo":
                current_runs = runs_by_warcinfo.get(headers.get_header("WARC-Record-ID"), {})
                continue
            runs = runs_by_warcinfo.get(headers.get_header("WARC-Warcinfo-ID") or "", current_runs)
            if record.rec_type == "metadata" and not headers.get_header("WARC-Concurrent-To"):
                raw, why_not = _decision(record, runs)
            elif record.rec_type in ("response", "revisit"):
                raw, why_not = _raw_response(archive, record, scan, runs, session, found)
            else:
                continue
            if raw is None:
                if why_not:
                    counts[why_not] += 1
                continue
            if raw.body is not None:
                archive.put_body(raw.body, raw.sha256)  # (already there: nothing written)
                if record.rec_type == "response":
                    found.note(record, raw.sha256)
            key = _capture_key(raw)
            seen[key] += 1
            if _archived_count(archive, raw) - added[key] >= seen[key]:
                counts["already_archived"] += 1
                continue
            added[key] += 1
            result = ingest(archive, raw)
            context = _context_of(record, scan)
            if request_body_column and context.request_body:
                archive.conn.execute("update responses set request_body = ? where id = ?",
                                     [context.request_body, result.response_id])
            counts[result.outcome] += 1
    session.merge(found)
    return dict(counts)


def _capture_key(raw: RawResponse) -> tuple:
    """What makes a ledger row the same capture: URL, final URL, method, status, body and
    time (and the decision, for a row without a response)."""
    return (raw.url, raw.final_url or raw.url, raw.fetched_at, raw.method, raw.status, raw.sha256, raw.outcome)


def _archived_count(archive: Archive, raw: RawResponse) -> int:
    """How many ledger rows are this capture. Importing a file twice, or an export back
    into its archive, adds nothing."""
    return archive.conn.execute(
        "select count(*) from responses where url = ? and final_url = ? and fetched_at = ? and method is ?"
        " and status is ? and body_sha256 is ? and (? is null or outcome = ?)",
        [raw.url, raw.final_url or raw.url, raw.fetched_at, raw.method, raw.status, raw.sha256,
         raw.outcome, raw.outcome]).fetchone()[0]


def _restore_context(archive: Archive, fields: dict[str, list[str]]) -> dict[str, int]:
    """The portals and crawl runs a warcinfo record carries, into the archive: a portal's
    empty fields are filled (what the archive already says is kept), a run is matched by
    its start time and start URLs or added. Returns the file's run ids -> the archive's."""
    portal_columns = set(_columns(archive.conn, "portals"))
    for text in fields.get("portal", []):
        try:
            portal = json.loads(text)
        except ValueError:
            continue
        if not isinstance(portal, dict) or not portal.get("url"):
            continue
        portal_id = archive.portal_id(portal["url"])
        current = _rows(archive.conn, "select * from portals where id = ?", [portal_id])[0]
        updates = {}
        for name in PORTAL_FIELDS:
            value = portal.get(name)
            if name not in portal_columns or name == "url" or value in (None, ""):
                continue
            if name == "first_seen":
                value = min(value, current[name] or value)   # (set to now when the row was just made)
            elif name == "last_crawled":
                value = max(value, current[name] or value)
            elif current[name] not in (None, ""):
                continue
            if value != current[name]:
                updates[name] = value
        if updates:
            archive.conn.execute(f"update portals set {', '.join(f'[{k}] = ?' for k in updates)} where id = ?",
                                 [*updates.values(), portal_id])
    run_columns = [c for c in _columns(archive.conn, "crawl_runs") if c != "id"]
    runs: dict[str, int] = {}
    for text in fields.get("run", []):
        try:
            run = json.loads(text)
        except ValueError:
            continue
        if not isinstance(run, dict) or run.get("id") is None:
            continue
        row = archive.conn.execute("select id from crawl_runs where started is ? and start_urls is ?",
                                   [run.get("started"), run.get("start_urls")]).fetchone()
        if row is None:
            values = {c: run.get(c) for c in run_columns if c in run}
            row = [archive.conn.execute(
                f"insert into crawl_runs ({', '.join(f'[{c}]' for c in values)}) values "
                f"({', '.join('?' for _ in values)})", list(values.values())).lastrowid]
        runs[str(run["id"])] = row[0]
    return runs


def _decision(record, runs: dict[str, int]) -> tuple[RawResponse | None, str]:
    """A metadata record of this export that stands alone: a ledger row without a response."""
    content = _read_limited(record.raw_stream)
    fields = {k: v[-1] for k, v in _nianbao_fields(content or b"").items()}
    if not fields.get("outcome"):
        return None, ""   # other tools' metadata, or another record's
    target = record.rec_headers.get_header("WARC-Target-URI") or ""
    try:
        headers = [tuple(h) for h in json.loads(fields["headers"])] if fields.get("headers") else []
    except ValueError:
        headers = []
    status = int(fields["status"]) if fields.get("status", "").isdigit() else None
    return RawResponse(
        url=fields.get("requested-url") or target, final_url=fields.get("final-url") or None, status=status,
        headers=headers, method=fields.get("method") or "GET",
        fetched_at=_iso_utc(record.rec_headers.get_header("WARC-Date")), route=fields.get("route"),
        portal_url=fields.get("portal-url"), link_title=fields.get("link-title"), link_date=fields.get("link-date"),
        parent_url=fields.get("parent-url"), outcome=fields["outcome"], reason=fields.get("reason"),
        run_id=runs.get(fields.get("run", ""))), ""


def _raw_response(archive: Archive, record, scan: _Scan, runs: dict[str, int], session: ImportSession,
                  found: ImportSession) -> tuple[RawResponse | None, str]:
    """The record as the one input of ingest, or (None, why it is passed over)."""
    headers = record.rec_headers
    target = headers.get_header("WARC-Target-URI") or ""
    if not target.lower().startswith(HTTP_SCHEMES):
        return None, "ignored_not_http"          # Heritrix's dns: records, urn: resources
    profile = headers.get_header("WARC-Profile") or ""
    not_modified = record.rec_type == "revisit" and profile.endswith(NOT_MODIFIED_SUFFIX)
    http = record.http_headers
    try:
        status = int(http.get_statuscode()) if http and http.statusline else None
    except (TypeError, ValueError):
        status = None
    if status is None and not_modified:
        status = 304   # the profile says so; this export leaves the block empty (module doc)
    if status is None:
        return None, "ignored_no_http_response"
    if 300 <= status < 400 and status != 304:
        # The redirect itself: a crawl follows it and records the final response under the
        # requested URL; here the final response is its own record, ingested under its own URL.
        return None, "ignored_redirect"
    context = _context_of(record, scan)
    served = list(http.headers) if http else []
    meta = context.meta
    if meta.get("headers"):
        try:  # this export: the header list as served (the block was adjusted, see export)
            served = [tuple(h) for h in json.loads(meta["headers"])]
        except ValueError:
            pass
    content_type = next((v for k, v in served if k.lower() == "content-type"), None)
    outcome = reason = None
    if status in BODILESS_STATUSES:
        # a crawl keeps the empty body Scrapy hands it; other tools' 304s have none
        body = b"" if meta.get("body-sha256") == EMPTY_SHA256 else None
    elif record.rec_type == "revisit":
        sha = _original(archive, record, session, found)
        if sha is None:
            return None, "ignored_not_page" if _declares_not_a_page(content_type, target) else "revisit_unresolved"
        body = archive.get_body(sha)
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
        link_date=meta.get("link-date"), parent_url=parent_url, outcome=outcome, reason=reason,
        run_id=runs.get(meta.get("run", "")))
    return raw, ""


def _context_of(record, scan: _Scan) -> _Context:
    """The request and metadata of a response record: they name it (this export, Heritrix),
    or it names its request (wget)."""
    headers = record.rec_headers
    return scan.by_response_id.get(headers.get_header("WARC-Record-ID") or "") or scan.by_request_id.get(
        headers.get_header("WARC-Concurrent-To") or "") or _Context()


def _original(archive: Archive, record, session: ImportSession, found: ImportSession) -> str | None:
    """The sha256 of the body a revisit record stands for, found by what it names: the
    original's record id (wget --warc-dedup), its URI and date (WARC 1.1), or its payload
    digest; in this file, in an earlier file of the command, or in the archive."""
    headers = record.rec_headers
    refers_to = headers.get_header("WARC-Refers-To")
    uri = headers.get_header("WARC-Refers-To-Target-URI") or headers.get_header("WARC-Target-URI")
    date = _safe_time(headers.get_header("WARC-Refers-To-Date"))
    date = date.astimezone(timezone.utc).isoformat() if date else None
    digest = _normal_digest(headers.get_header("WARC-Payload-Digest"))
    for known in (found, session):
        sha = (known.by_record_id.get(refers_to or "") or (date and known.by_capture.get((uri, date)))
               or known.by_digest.get(digest or ""))
        if sha:
            return sha
    conn = archive.conn
    if date:
        row = conn.execute("select body_sha256 from responses where (final_url = ? or url = ?) and fetched_at = ?"
                           " and body_sha256 is not null order by id desc limit 1", [uri, uri, date]).fetchone()
        if row:
            return row[0]
    if digest and digest.startswith("sha1:"):
        # the archive keys bodies by sha256: compare the sha1 of this URL's bodies
        targets = {uri, headers.get_header("WARC-Target-URI")}
        marks = ", ".join("?" for _ in targets)
        for (sha,) in conn.execute(f"select distinct body_sha256 from responses where body_sha256 is not null"
                                   f" and (final_url in ({marks}) or url in ({marks}))", [*targets, *targets]):
            body = archive.get_body(sha)
            if body is not None and payload_digest(body) == digest:
                return sha
    return None


def _holds_report(archive: Archive, url: str) -> bool:
    """``url`` is a report page, or a page whose report is its attachment (as ingested so far)."""
    if archive.report_state(url) is not None:
        return True
    row = archive.conn.execute("select outcome from responses where url = ? order by id desc limit 1",
                               [url]).fetchone()
    return bool(row) and row[0] == "attachment_only"
