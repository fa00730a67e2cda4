"""Portal lists: a CSV with columns name, province, city, county, url, and optionally code (the
portal's GB/T 2260 division code, as `nianbao divisions` prints it).

Users bring what they have: UTF-8 with or without a BOM, or GBK/GB18030 (what
Excel writes on Chinese Windows).
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from urllib.parse import urlsplit

REQUIRED_COLUMNS = ("name", "province", "city", "county", "url")
CSV_ENCODINGS = ("utf-8-sig", "gb18030")


class PortalsError(ValueError):
    """The portals file cannot be used at all (a one-line message for the user)."""


@dataclass(frozen=True)
class Portal:
    url: str
    name: str | None = None
    province: str | None = None
    city: str | None = None
    county: str | None = None
    code: str | None = None  # GB/T 2260 code of the portal's division

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or ""


def _decode(data: bytes, path: str) -> str:
    for encoding in CSV_ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise PortalsError(f"{path}: neither UTF-8 nor GBK text; save it as CSV UTF-8")


def url_problem(url: str) -> str | None:
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError as exc:
        return str(exc)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "not a full http:// or https:// URL"
    return None


def read_portals_checked(path: str, known_codes=None) -> tuple[list[Portal], list[str]]:
    """(portals, problems): each problem names the line of a row without a usable URL, or with a
    code that is not in ``known_codes`` (the registry's), and the row is left out."""
    try:
        with open(path, "rb") as f:
            text = _decode(f.read(), path)
    except OSError as exc:
        raise PortalsError(f"cannot read {path}: {exc.strerror}") from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    fields = [f.strip().lower() for f in reader.fieldnames or []]
    missing = [c for c in REQUIRED_COLUMNS if c not in fields]
    if missing:
        raise PortalsError(f"{path}: missing column(s) {', '.join(missing)} "
                           f"(the first line must name: {', '.join(REQUIRED_COLUMNS)})")
    reader.fieldnames = fields
    portals, problems = [], []
    for row in reader:
        line = reader.line_num
        url = (row.get("url") or "").strip()
        if not url and (row.get("code") or "").strip():
            continue  # a row of `nianbao divisions --csv` not filled in yet
        problem = url_problem(url) if url else "no url"
        if problem:
            problems.append(f"{path}, line {line}: {problem} ({url!r})")
            continue
        code = (row.get("code") or "").strip() or None
        if code is not None and known_codes is not None and code not in known_codes:
            problems.append(f"{path}, line {line}: code {code} is not a division code in nianbao's registry "
                            f"(see `nianbao divisions`)")
            continue
        portals.append(Portal(url=url, name=(row.get("name") or "").strip() or None,
                              province=(row.get("province") or "").strip() or None,
                              city=(row.get("city") or "").strip() or None,
                              county=(row.get("county") or "").strip() or None, code=code))
    return portals, problems


def read_portals(path: str) -> list[Portal]:
    """The usable portals of a CSV (rows without a usable URL are left out)."""
    return read_portals_checked(path)[0]


def write_portals(portals: list[Portal], path) -> None:
    """A portals CSV (UTF-8) that read_portals reads back: what `nianbao demo` and the tests give --portals."""
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(("code",) + REQUIRED_COLUMNS)
        for p in portals:
            writer.writerow([p.code or "", p.name or "", p.province or "", p.city or "", p.county or "", p.url])
