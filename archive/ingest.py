"""One path from a raw response to the archive's rows.

``ingest(archive, raw)`` is used by the crawl pipeline, by ``nianbao reparse``
and by ``nianbao import-warc``: it reads the response (decode, extract the text
of a PDF/DOCX, parse), decides what it means for the archive (a new report, a
changed one, the same one again, a worse page that must not replace a good
report, a vanished report, a block page …) and writes the raw body, the ledger
row and the derived rows in one transaction.

The decision is a pure function (``decide``) of what the archive holds for the
URL and what the response says, so replaying the ledger (``reparse``) reaches
the same state a crawl did.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from urllib.parse import urlsplit

from parsing import Report, parse_report
from parsing.blocked import detect_block
from parsing.documents import extract_document, sniff_kind
from parsing.indicators import Panel, read_indicators
from parsing.issuers import issuer_level
from parsing.version import PARSER_VERSION

from .divisions import DEMO_REGISTRY_CSV, load_divisions, registry_codes, registry_rows
from .raw import RawResponse, now_iso
from .search import index_text
from .store import Archive

logger = logging.getLogger(__name__)

# Outcomes after which the URL's report row reflects this response.
REPORT_WRITTEN = {"stored", "changed", "image_only"}
# A known report whose new text is shorter than this share of the archived text is a worse
# page (truncated body, a stub that links the file), not a correction.
DEGRADED_BODY_RATIO = 0.5
# Paths of a portal's homepage: a known report redirected there has vanished.
HOMEPAGE_PATHS = {"", "/", "/index.html", "/index.htm", "/index.shtml", "/index.jsp", "/index.php", "/default.htm",
                  "/default.html", "/default.aspx"}
DOCUMENT_KINDS = {"pdf", "docx", "doc", "wps"}


@dataclass
class Reading:
    """What a response says, before the archive's state is consulted."""
    report: Report | None = None
    block: str | None = None         # anti-bot / WAF reason
    signal: str | None = None        # maintenance | soft_404 | attachment_only | image_only
    error: str | None = None         # the parser or the extractor failed
    kind: str = "html"               # html | pdf | docx | doc | wps | …
    attachment: bool = False         # the text came from a document file
    index: tuple[str, str] | None = None  # the report's title and body as the search index takes them
    panel: Panel | None = None       # the report's indicators (parsing.indicators), read in the worker too


@dataclass
class Decision:
    outcome: str
    reason: str | None = None
    title: str | None = None
    revision: bool = False           # keep the archived version in revisions before writing
    write: bool = False              # (re)write the report's derived rows from this response
    gone: bool | None = None         # True: set gone_since; False: clear it; None: leave


def read_response(raw: RawResponse) -> Reading:
    """Parse a response as a report page or document, and prepare its search-index text.
    Pure: no archive access (it runs in parser workers)."""
    reading = _read(raw)
    if reading.report is not None and reading.report.is_report:
        reading.index = (index_text(reading.report.title), index_text(reading.report.body))
        reading.panel = read_indicators(reading.report.stats, reading.report.body, reading.report.figures)
    return reading


def _read(raw: RawResponse) -> Reading:
    if raw.body is None or raw.status is None:
        return Reading()
    block = detect_block(raw.status, raw.headers, raw.body)
    if block:
        return Reading(block=block)
    if raw.status >= 300 or raw.route in ("listing", "discovery"):
        return Reading()
    kind = sniff_kind(raw.body, raw.content_type, raw.where)
    try:
        if kind in DOCUMENT_KINDS:
            extracted = extract_document(raw.body, raw.content_type, raw.where)
            if extracted.error:
                return Reading(kind=kind, error=extracted.error, attachment=True)
            if extracted.image_only or not extracted.html:
                return Reading(kind=kind, signal="image_only", attachment=True,
                               error=None if extracted.image_only else "no text in the document")
            report = parse_report(extracted.html, raw.url)
            return Reading(report=report, kind=kind, attachment=True, signal=report.signal)
        if kind not in ("html", "empty"):
            return Reading(kind=kind, error=f"not a page or document: {kind}")
        report = parse_report(raw.body, raw.url, raw.content_type)
    except Exception as exc:  # a hostile page must not stop the crawl, and must leave a trace
        return Reading(kind=kind, error=f"{type(exc).__name__}: {exc}"[:500])
    return Reading(report=report, kind=kind, signal=report.signal)


def _is_homepage_redirect(raw: RawResponse) -> bool:
    if not raw.final_url or raw.final_url == raw.url:
        return False
    final = urlsplit(raw.final_url)
    return final.path in HOMEPAGE_PATHS or (raw.portal_url is not None and raw.final_url == raw.portal_url)


def decide(raw: RawResponse, reading: Reading, state: dict | None) -> Decision:
    """What this response means for the archive, given what it holds for the URL (``state``)."""
    report = reading.report
    title = report.title if report else raw.link_title
    if raw.outcome:  # the fetcher decided (skipped, error, too_large, budget, gone: no longer listed …)
        return Decision(raw.outcome, raw.reason, state["title"] if state else raw.link_title,
                        gone=True if raw.outcome == "gone" and state else None)
    if raw.status is None:
        return Decision("error", raw.reason or "no response", raw.link_title)
    if raw.status == 304:
        return Decision("not_modified", None, state["title"] if state else title, gone=False if state else None)
    if reading.block:
        return Decision("blocked", reading.block, raw.link_title)
    if raw.status in (404, 410) and state and (raw.route != "attachment" or state["attachment_url"] == raw.url):
        # (a missing file attached to a page does not make the page's report vanish)
        return Decision("gone", f"HTTP {raw.status}", state["title"], gone=True)
    if raw.status >= 400:
        return Decision("http_error", raw.reason or f"HTTP {raw.status}", raw.link_title)
    if raw.status >= 300:
        return Decision("http_error", raw.reason or f"redirect {raw.status} not followed", raw.link_title)
    if raw.route in ("listing", "discovery"):
        return Decision("listing", None, raw.link_title)
    if state and _is_homepage_redirect(raw):
        return Decision("gone", f"redirected to {raw.final_url}", state["title"], gone=True)
    if reading.error:
        return Decision("parse_error", reading.error, raw.link_title)
    if reading.signal == "image_only" and report is None:
        return Decision("image_only", f"{reading.kind} holds only images", raw.link_title)
    if state and state["attachment_url"] and raw.route != "attachment" and reading.signal == "attachment_only":
        # the page that links the report's file, again: the report itself comes from the file
        return Decision("attachment_only", "the report is read from its file", state["title"], gone=False)
    if raw.route == "attachment" and raw.parent_url and state and not state["attachment_url"]:
        return Decision("attachment", "a file attached to a report page that holds the text itself", title)
    if report is None or not report.is_report:
        if state:
            if reading.signal == "soft_404":
                return Decision("gone", "soft 404 page", state["title"], gone=True)
            return Decision("degraded", f"not a report any more ({reading.signal or title})", title)
        if reading.signal == "attachment_only":
            return Decision("attachment_only", "the page links the report as a file", title)
        if raw.route == "start":
            return Decision("listing", None, title)
        return Decision("not_report", "page title or text is not an annual report", title)
    image_only = reading.signal == "image_only" or report.image_only
    new_outcome = "image_only" if image_only else "stored"
    if state is None and reading.signal == "attachment_only" and not reading.attachment:
        return Decision("attachment_only", "the page links the report as a file", title)
    if state is None:
        return Decision(new_outcome, None, title, write=True)
    if state["content_sha256"] == raw.sha256:
        return Decision("unchanged", None, title, gone=False)
    worse = _worse_than_archived(report, reading, state)
    if worse:
        return Decision("degraded", worse, title)
    if (report.title, report.body) == (state["title"], state["body"]):
        # New bytes, same report (a visit counter, a new sidebar): no revision.
        return Decision("unchanged", "same report, different bytes", title, write=True, gone=False)
    return Decision("changed", None, title, revision=True, write=True, gone=False)


def _worse_than_archived(report: Report, reading: Reading, state: dict) -> str | None:
    if reading.signal in ("maintenance", "soft_404", "attachment_only"):
        return reading.signal
    if state["section_count"] and not report.sections:
        return f"sections {state['section_count']} -> 0"
    old_len, new_len = len(state["body"] or ""), len(report.body or "")
    if old_len and new_len < DEGRADED_BODY_RATIO * old_len:
        return f"body {old_len} -> {new_len} characters"
    return None


def report_url(raw: RawResponse) -> str:
    """The URL a report is kept under: an attachment linked from a report page belongs to that page."""
    if raw.route == "attachment" and raw.parent_url:
        return raw.parent_url
    return raw.url


@dataclass
class IngestResult:
    outcome: str
    report_id: int | None = None
    title: str | None = None
    reason: str | None = None
    response_id: int | None = None


def ingest(archive: Archive, raw: RawResponse, reading: Reading | None = None, *, record: bool = True,
           response_id: int | None = None, reuse_ids: dict[str, int] | None = None) -> IngestResult:
    """Read ``raw`` (unless ``reading`` is given), then store body, ledger row and report in one transaction.

    ``record=False`` (reparse) writes no ledger row and no body: the response is already
    in the archive as ``response_id``; ``reuse_ids`` gives a re-created report its old id.
    """
    if reading is None:
        reading = read_response(raw)
    key = report_url(raw)
    with archive.transaction():
        sha = raw.sha256
        if record and raw.body is not None:
            archive.put_body(raw.body, sha)
        portal_id = archive.portal_id(raw.portal_url)
        if reading.report is not None and reading.report.site_id:
            note_site_id(archive, portal_id, reading.report.site_id)
        state = archive.report_state(key)
        decision = decide(raw, reading, state)
        report_id = state["id"] if state else None
        if decision.revision and state:
            archive.keep_revision(report_id, state, raw.fetched_at)
        if decision.write and reading.report is not None:
            new_id = report_id if report_id is not None else (reuse_ids or {}).get(key)
            report_id = _write(archive, raw, reading, key, portal_id, report_id, new_id)
        if decision.gone is True and state and not state["gone_since"]:
            archive.set_report_fields(report_id, gone_since=raw.fetched_at[:10])
        elif decision.gone is False and state and state["gone_since"]:
            archive.set_report_fields(report_id, gone_since=None)
        if record:
            response_id = archive.record_response(
                url=raw.url, outcome=decision.outcome, run_id=raw.run_id, portal_id=portal_id,
                final_url=raw.final_url, method=raw.method, status=raw.status, headers=raw.headers,
                body_sha256=sha, fetched_at=raw.fetched_at, route=raw.route, reason=decision.reason,
                title=decision.title, report_id=report_id, parent_url=raw.parent_url, link_date=raw.link_date,
                request_body=raw.request_body)
        if decision.write and report_id is not None:
            archive.set_report_fields(report_id, response_id=response_id)
    return IngestResult(decision.outcome, report_id, decision.title, decision.reason, response_id)


def _write(archive: Archive, raw: RawResponse, reading: Reading, key: str, portal_id: int | None,
           report_id: int | None, new_id: int | None) -> int:
    report = reading.report
    if report.published is None and reading.attachment and raw.link_date:
        # A PDF/DOCX carries no 发布日期 of its own: the date the portal's list shows beside the link.
        report.published = raw.link_date
    portal_code = portal_division(archive, portal_id)
    gazetteer = archive.gazetteer()
    division_code = gazetteer.division_of(report.issuer, portal_code, report.year)
    if division_code:
        province, city, county = gazetteer.place(division_code, report.year)
    else:  # unplaced: the portals CSV's own names, if it gave any; nothing guessed
        province, city, county = archive.portal_place(portal_id)
    level = issuer_level(report.issuer)
    if level is None and division_code and gazetteer.is_own_name(report.issuer, division_code):
        level = "government"  # "大英县" alone (大英县2020年度政府信息公开工作报告) is its government
    meta = {
        "fetched_at": raw.fetched_at, "portal_id": portal_id, "portal_url": raw.portal_url,
        "http_status": raw.status, "content_sha256": raw.sha256, "parser_version": PARSER_VERSION,
        "attachment_url": raw.where if reading.attachment else None,
        "attachment_sha256": raw.sha256 if reading.attachment else None,
        "province": province, "city": city, "county": county, "level": level, "division_code": division_code,
    }
    return archive.write_report(report, url=key, report_id=report_id, new_id=new_id, indexed=reading.index,
                                panel=reading.panel, **meta)


def note_site_id(archive: Archive, portal_id: int | None, site_id: str) -> None:
    """Record the 政府网站标识码 a portal's page prints (the first seen), and say so when its
    division is not the one the portals CSV gives."""
    codes = archive.portal_codes(portal_id)
    if codes is None or codes["site_id"] == site_id:
        return
    if codes["site_id"] is None:
        archive.set_portal_fields(portal_id, site_id=site_id)
        if codes["code"] and site_id[:6] != codes["code"]:
            logger.warning("portal %s: its pages print 网站标识码 %s (division %s) but the portals CSV says %s; "
                           "the CSV's code is used", portal_id, site_id, site_id[:6], codes["code"])


def portal_division(archive: Archive, portal_id: int | None) -> str | None:
    """The portal's division: the portals CSV's code, else its 标识码's, else the CSV's place names
    read through the registry (kept in portals.division_code for the coverage view)."""
    codes = archive.portal_codes(portal_id)
    if codes is None:
        return None
    gazetteer = archive.gazetteer()
    if codes["code"] and codes["code"] not in gazetteer.codes and codes["code"] in registry_codes(DEMO_REGISTRY_CSV):
        load_divisions(archive.conn, registry_rows(DEMO_REGISTRY_CSV), "demo")
        gazetteer = archive.gazetteer(reload=True)
    code = (codes["code"] if codes["code"] in gazetteer.codes else None) \
        or gazetteer.site_code(codes["site_id"]) \
        or gazetteer.code_of_place(codes["province"], codes["city"], codes["county"])
    if code != codes["division_code"]:
        archive.set_portal_fields(portal_id, division_code=code)
    return code
