"""China's administrative divisions (GB/T 2260 codes with their history) and the gazetteer that
places a report on one.

The registry is data: ``archive/data/divisions.csv``, built from yescallop/areacodes (CC0) by
``archive/data/build_divisions.py`` and loaded into every archive's ``divisions`` table by
``ensure_schema``. A demo archive adds the demo portal's fictional divisions (codes 90xxxx–91xxxx,
a range no real province uses) from ``archive/data/demo_divisions.csv``.

``Gazetteer.resolve(issuer, context_code, year)`` reads the division an issuer names: a chain of
names from the start of the issuer (湖南省邵阳市城步县…, 城步县…, 福州市晋安区…), each one a division
under the one before, in the full form or a short form (城步县 for 城步苗族自治县, 鄂温克旗 for
鄂温克族自治旗, 内蒙古 for 内蒙古自治区). A name found in several places is narrowed by the year
(the code valid then), the chain's own parent, then the portal's division (``context_code``):
its subtree or ancestors first, then its province. What stays ambiguous resolves to nothing:
nothing is invented.
"""
from __future__ import annotations

import csv
import hashlib
import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Iterable

from parsing.chinese import PINYIN_NOTE_RE, fold

REGISTRY_CSV = Path(__file__).parent / "data" / "divisions.csv"
REGISTRY_SOURCE = "yescallop/areacodes@eed219a (CC0 1.0), codes to 2024-12-31"
# The demo portal's fictional provinces, cities and counties, with codes 90xxxx–91xxxx that no real
# GB/T 2260 division has; kept apart (source 'demo') and loaded into an archive only when a portal
# names one of their codes.
DEMO_REGISTRY_CSV = Path(__file__).parent / "data" / "demo_divisions.csv"
LEVELS = ("province", "prefecture", "county")
# The 55 minority peoples whose names stand in autonomous divisions' names (…苗族自治县). A name of
# one character is only peeled with its 族 (白, 水, 土 … are common in place names).
ETHNIC_GROUPS = (
    "蒙古", "回", "藏", "维吾尔", "苗", "彝", "壮", "布依", "朝鲜", "满", "侗", "瑶", "白", "土家", "哈尼", "哈萨克",
    "傣", "黎", "傈僳", "佤", "畲", "高山", "拉祜", "水", "东乡", "纳西", "景颇", "柯尔克孜", "土", "达斡尔", "仫佬",
    "羌", "布朗", "撒拉", "毛南", "仡佬", "锡伯", "阿昌", "普米", "塔吉克", "怒", "乌孜别克", "俄罗斯", "鄂温克",
    "德昂", "保安", "裕固", "京", "塔塔尔", "独龙", "鄂伦春", "赫哲", "门巴", "珞巴", "基诺", "各",
)
_ETHNIC_TAIL_RE = re.compile("(?:" + "|".join(sorted(
    [g + "族" for g in ETHNIC_GROUPS] + [g for g in ETHNIC_GROUPS if len(g) > 1], key=len, reverse=True)) + ")$")
AUTONOMOUS_RE = re.compile(r"^(?P<stem>.+?)自治(?P<kind>县|旗|州|区)$")
# A division's kind as its name ends; the short form keeps it, the bare stem drops it.
SUFFIX_RE = re.compile(r"(?:特别行政区|地区|省|市|县|区|旗|盟|州)$")
# What may follow a bare stem (城步 for 城步县): a government's own name, nothing looser.
AFTER_BARE_STEM = ("人民政府", "政府")
# The 政府网站标识码 printed in a portal's footer: its first six digits are the division's code.
SITE_ID_LENGTH = 10
# 条例 Art. 50: a government publishes its report on year Y by 31 March of Y+1, a department by
# 31 January of Y+1 (month-day, in the year after the one reported on).
GOVERNMENT_REPORT_DUE = "03-31"
DEPARTMENT_REPORT_DUE = "01-31"
# The first year reports exist for (the 条例 came into force on 1 May 2008).
FIRST_REPORT_YEAR = 2008


@dataclass(frozen=True)
class Division:
    code: str
    name: str
    level: str
    parent_code: str | None
    valid_from: int | None
    valid_to: int | None  # first year no longer valid; None while in use
    successors: str | None = None

    def valid_in(self, year: int | None) -> bool:
        if year is None:
            return self.valid_to is None
        return (self.valid_from or 0) <= year < (self.valid_to or 10_000)


def registry_rows(path: Path = REGISTRY_CSV) -> list[dict]:
    """The registry CSV as rows for the divisions table."""
    with open(path, encoding="utf-8", newline="") as f:
        return [{"code": r["code"], "name": r["name"], "level": r["level"], "parent_code": r["parent_code"] or None,
                 "valid_from": int(r["valid_from"]) if r["valid_from"] else None,
                 "valid_to": int(r["valid_to"]) if r["valid_to"] else None,
                 "successors": r["successors"] or None}
                for r in csv.DictReader(f)]


def load_divisions(conn, rows: list[dict], source: str) -> int:
    """Put ``rows`` (registry_rows' shape) into the archive's divisions table as ``source``,
    replacing that source's rows (the demo's fictional divisions: source 'demo')."""
    conn.execute("delete from divisions where source = ?", [source])
    conn.executemany("insert or replace into divisions (code, name, level, parent_code, valid_from, valid_to, "
                     "successors, source) values (?, ?, ?, ?, ?, ?, ?, ?)",
                     [(r["code"], r["name"], r["level"], r["parent_code"], r["valid_from"], r["valid_to"],
                       r["successors"], source) for r in rows])
    return len(rows)


@lru_cache(maxsize=4)
def registry_codes(path: Path = REGISTRY_CSV) -> frozenset[str]:
    return frozenset(r["code"] for r in registry_rows(path))


def known_codes() -> frozenset[str]:
    """Codes a portals CSV may give: the registry's and the demo's."""
    return registry_codes(REGISTRY_CSV) | registry_codes(DEMO_REGISTRY_CSV)


@lru_cache(maxsize=4)
def registry_digest(path: Path = REGISTRY_CSV) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def normal_name(text: str | None) -> str:
    """An issuer or place name as matched: simplified, pinyin notes and spaces dropped."""
    return re.sub(r"\s+", "", PINYIN_NOTE_RE.sub("", fold(text or "")))


def name_forms(name: str, level: str) -> list[tuple[str, bool]]:
    """(form, bare) pairs a division may be written as: its name, the short form of an autonomous
    division (城步苗族自治县 → 城步县), and the bare stem (城步, 湖南, 内蒙古) that only counts before
    another division's name or 人民政府."""
    forms = [(name, False)]
    stem, kind = name, None
    m = AUTONOMOUS_RE.match(name)
    if m:
        stem, kind = m.group("stem"), m.group("kind")
        peeled, last = stem, None
        while True:
            t = _ETHNIC_TAIL_RE.search(peeled)
            if not t or 0 < t.start() < 2:  # 内蒙古自治区 keeps 内蒙古
                break
            last, peeled = t.group().removesuffix("族"), peeled[:t.start()]
        # 鄂温克族自治旗: the people's name is the place's name
        stem = peeled or last or stem
        if kind in ("县", "旗", "州") and len(stem) >= 2:
            forms.append((stem + kind, False))
        if kind == "州" and len(stem) >= 2:
            forms.append((stem + "自治州", False))
    elif level != "province" or not name.endswith(("市",)):
        stem = SUFFIX_RE.sub("", name)
    else:
        stem = name[:-1]  # 北京市 → 北京
    if stem != name and len(stem) >= 2:
        forms.append((stem, True))
    return list(dict.fromkeys(forms))


class Gazetteer:
    """Divisions indexed by the names they are written as."""

    def __init__(self, divisions: Iterable[Division]):
        self.rows: dict[str, list[Division]] = {}
        self.by_form: dict[str, list[tuple[Division, bool]]] = {}
        for d in divisions:
            self.rows.setdefault(d.code, []).append(d)
            for form, bare in name_forms(d.name, d.level):
                self.by_form.setdefault(form, []).append((d, bare))
        self.longest_form = max((len(f) for f in self.by_form), default=0)

    @classmethod
    def from_rows(cls, rows: Iterable[dict]) -> "Gazetteer":
        return cls(Division(**{k: r[k] for k in ("code", "name", "level", "parent_code", "valid_from",
                                                    "valid_to", "successors")}) for r in rows)

    @classmethod
    def from_db(cls, conn) -> "Gazetteer":
        cursor = conn.execute("select code, name, level, parent_code, valid_from, valid_to, successors "
                              "from divisions")
        return cls(Division(*row) for row in cursor)

    @cached_property
    def codes(self) -> frozenset[str]:
        return frozenset(self.rows)

    def get(self, code: str | None, year: int | None = None) -> Division | None:
        """The row of ``code`` valid in ``year`` (else the latest one)."""
        rows = self.rows.get(code or "")
        if not rows:
            return None
        for row in rows:
            if row.valid_in(year):
                return row
        return max(rows, key=lambda r: (r.valid_to or 10_000, r.valid_from or 0))

    def ancestors(self, code: str) -> list[str]:
        """Codes above ``code``, nearest first."""
        out, seen = [], {code}
        row = self.get(code)
        while row and row.parent_code and row.parent_code not in seen:
            out.append(row.parent_code)
            seen.add(row.parent_code)
            row = self.get(row.parent_code)
        return out

    def place(self, code: str | None, year: int | None = None) -> tuple[str | None, str | None, str | None]:
        """(province, city, county) names of a division as the registry writes them in ``year``."""
        row = self.get(code, year)
        if row is None:
            return None, None, None
        names = {r.level: r.name for r in [row] + [self.get(c, year) for c in self.ancestors(code)] if r}
        return names.get("province"), names.get("prefecture"), names.get("county")

    def site_code(self, site_id: str | None) -> str | None:
        """The division of a 政府网站标识码 (its first six digits), when the registry knows it."""
        if site_id and len(site_id) == SITE_ID_LENGTH and site_id[:6] in self.rows:
            return site_id[:6]
        return None

    # --- reading names ------------------------------------------------------------------------
    def _matches_at(self, text: str, pos: int) -> list[tuple[int, list[tuple[Division, bool]]]]:
        """(length, entries) of every form starting at ``pos``, longest first."""
        out = []
        for length in range(min(self.longest_form, len(text) - pos), 1, -1):
            entries = self.by_form.get(text[pos:pos + length])
            if entries:
                out.append((length, entries))
        return out

    def _chain(self, text: str, start: int) -> list[list[Division]]:
        """Candidates of each division named one after another from ``start``, each under the last.
        A bare stem (湖南, 城步) counts only before another division of the chain or 人民政府:
        湖南衡山萱洲国家湿地公园管理处 names no division."""
        chain: list[tuple[list[Division], bool, int]] = []  # (candidates, bare, end position)
        pos = start
        while pos < len(text):
            step = None
            for length, entries in self._matches_at(text, pos):
                full = [d for d, bare in entries if not bare]
                candidates, bare = (full, False) if full else ([d for d, _ in entries], True)
                if chain:
                    candidates = [d for d in candidates
                                  if any(c.code in self.ancestors(d.code) for c in chain[-1][0])]
                if candidates:
                    step = (candidates, bare, pos + length)
                    break
            if step is None:
                break
            chain.append(step)
            pos = step[2]
        while chain and chain[-1][1] and not text.startswith(AFTER_BARE_STEM, chain[-1][2]):
            chain.pop()
        return [candidates for candidates, _, _ in chain]

    def named(self, issuer: str | None) -> list[Division]:
        """Candidates for the most specific division an issuer names (empty when it names none).
        The chain starts at the issuer's first character, else at the first full name of three
        characters or more (国家税务总局青田县税务局)."""
        text = normal_name(issuer)
        chain = self._chain(text, 0)
        if not chain:
            for pos in range(1, len(text)):
                if any(not bare for length, entries in self._matches_at(text, pos) if length >= 3
                       for _, bare in entries):
                    chain = self._chain(text, pos)
                    if chain:
                        break
        return chain[-1] if chain else []

    def resolve(self, issuer: str | None, context_code: str | None = None, year: int | None = None) -> Division | None:
        """The division ``issuer`` names, narrowed as the module says; else None."""
        candidates = self.named(issuer)
        if not candidates:
            return None
        for narrow in (lambda d: d.valid_in(year) if year is not None else d.valid_to is None,
                       *self._context_tiers(context_code)):
            if len({d.code for d in candidates}) == 1:
                break
            candidates = [d for d in candidates if narrow(d)] or candidates
        codes = {d.code for d in candidates}
        if len(codes) != 1:
            return None
        return self.get(codes.pop(), year)

    def _context_tiers(self, context_code: str | None) -> list:
        if not context_code or context_code not in self.rows:
            return []
        lineage = {context_code, *self.ancestors(context_code)}
        return [lambda d: d.code in lineage or context_code in self.ancestors(d.code),
                lambda d: d.code[:2] == context_code[:2]]

    def division_of(self, issuer: str | None, portal_code: str | None, year: int | None) -> str | None:
        """A report's division: the one its issuer names, else the portal's (a department or
        township names none: 县教育局, 办公室, 城关镇人民政府); None when neither is known."""
        named = self.resolve(issuer, portal_code, year)
        if named is not None:
            return named.code
        if self.named(issuer):
            return None  # it names a division, but which one is ambiguous: not the portal's by default
        return portal_code if portal_code in self.rows else None

    def is_own_name(self, issuer: str | None, code: str) -> bool:
        """True when the issuer is nothing but the division's name (大英县, 城步县)."""
        text = normal_name(issuer)
        return any(text == form for row in self.rows.get(code, []) for form, bare in name_forms(row.name, row.level)
                   if not bare)

    def code_of_place(self, province: str | None, city: str | None, county: str | None) -> str | None:
        """The division a portals CSV row names by its place columns (湖南省, 邵阳市, 绥宁县)."""
        text = "".join(filter(None, (province, city, county)))
        found = self.resolve(text) if text else None
        return found.code if found else None
