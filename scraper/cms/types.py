"""Result types shared by the CMS listing parsers (kept apart from ``__init__``
so family modules can import them without a circular import)."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ListingItem:
    url: str          # absolute
    title: str        # link text, whitespace-normalised (title="" when the text is truncated)
    date: str | None  # "YYYY-MM-DD" when the list shows a date next to the link


@dataclass
class Listing:
    family: str | None                       # "trs" | "hanweb" | "vsb" | "generic" | None
    items: list[ListingItem] = field(default_factory=list)
    next_pages: list[str] = field(default_factory=list)
