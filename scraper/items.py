"""What the spider is told about pages the archive already holds.

The spider yields ``archive.raw.RawResponse`` records (one per response or
decision); the CLI, which wires the rooms, hands it ``KnownPage``s read from the
archive so that a re-crawl asks only for what is new or changed.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class KnownPage:
    """A report or attachment URL the archive has a good response for."""
    url: str
    fetched_at: str                 # ISO time of the last good response
    etag: str | None = None
    last_modified: str | None = None
    is_report: bool = False         # the archive holds a report under this URL

    @property
    def has_validators(self) -> bool:
        return bool(self.etag or self.last_modified)
