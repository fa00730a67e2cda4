"""What the spider hands to the archive pipeline."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass
class ReportItem:
    """A fetched page that parsed as an annual report."""
    report: dict            # parsing.Report.to_dict()
    portal_url: str | None
    fetched_at: str
    http_status: int
    content_sha256: str


@dataclass
class FetchItem:
    """A decision about a URL that did not produce a report (the fetch ledger)."""
    url: str
    outcome: str            # not_report | skipped | listing | http_error | error
    reason: str | None = None
    title: str | None = None
    portal_url: str | None = None
    http_status: int | None = None
