"""Result types shared by the CMS listing parsers (kept apart from ``__init__``
so family modules can import them without a circular import)."""
from __future__ import annotations

from dataclasses import dataclass, field

PAGE = "page"              # an HTML page (article or anything else to fetch and parse)
ATTACHMENT = "attachment"  # a file (PDF/DOC/DOCX/WPS/XLS/XLSX/ZIP or a CMS download URL)


@dataclass(frozen=True)
class ListingItem:
    url: str          # absolute, http or https
    title: str        # link text, whitespace-normalised (the title attribute when the text is truncated)
    date: str | None  # "YYYY-MM-DD" when the list shows a date next to the link
    kind: str = PAGE  # PAGE | ATTACHMENT: what the link points to


@dataclass
class PageRequest:
    """A further list page to fetch. ``form`` is sent url-encoded when ``method`` is POST;
    ``fallback`` is the request to try when this one fails (e.g. a GET for a POST-only proxy
    that some portals answer only by GET)."""
    url: str
    method: str = "GET"
    form: dict[str, str] | None = None
    fallback: PageRequest | None = None

    def key(self) -> tuple:
        """Identity for de-duplication (dicts are not hashable)."""
        return (self.url, self.method, tuple(sorted((self.form or {}).items())))


@dataclass
class Listing:
    family: str | None                       # "gkmlpt" | "hanweb" | "trs" | "vsb" | "generic" | None
    items: list[ListingItem] = field(default_factory=list)
    next_pages: list[PageRequest] = field(default_factory=list)
    # Links that were skipped because they cannot be fetched: (href as written, reason).
    bad_links: list[tuple[str, str]] = field(default_factory=list)


GATEWAY = "gateway"                    # 政务公开 / 政府信息公开 …: look through it for the report column
REPORT_COLUMN = "report_column"        # the annual-report column (政府信息公开年报 …)
SUB_COLUMN = "sub_column"              # inside a report column: 部门年报, 乡镇年报, 2022年 …
REPORT_CANDIDATE = "report_candidate"  # an article (or file) that may itself be a report


@dataclass(frozen=True)
class ColumnLink:
    url: str    # absolute, http or https
    title: str
    kind: str   # GATEWAY | REPORT_COLUMN | SUB_COLUMN | REPORT_CANDIDATE
