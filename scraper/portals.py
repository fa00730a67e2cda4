"""Portal lists: a CSV with columns name, province, city, county, url."""
from __future__ import annotations

import csv
from dataclasses import dataclass
from urllib.parse import urlsplit

REQUIRED_COLUMNS = ("name", "province", "city", "county", "url")


@dataclass(frozen=True)
class Portal:
    url: str
    name: str | None = None
    province: str | None = None
    city: str | None = None
    county: str | None = None

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or ""


def read_portals(path: str) -> list[Portal]:
    """Read a portals CSV (UTF-8, BOM tolerated); rows without a url are skipped."""
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(f"{path}: missing column(s) {', '.join(missing)}")
        return [
            Portal(url=row["url"].strip(), name=row["name"] or None, province=row["province"] or None,
                   city=row["city"] or None, county=row["county"] or None)
            for row in reader if (row.get("url") or "").strip()
        ]
