"""The statistics tables of sections 二, 三 and 四 (2019 and 2021 templates).

Rows are read in page order through every data table of the report (some
portals put the three tables in one <table>, Word splits one into several):
a header row says which table the following rows belong to.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from lxml import etree

from .chinese import fold
from .grid import Cell, distinct
from .stats_keys import (
    COLUMN_KEYS_2019, COLUMN_KEYS_2021, TABLE2_COLUMNS, TABLE2_ROWS, TABLE3_COLUMNS, TABLE3_ROWS,
    TABLE4_GROUPS, TABLE4_OUTCOMES,
)

BLANK_VALUES = {"", "-", "--", "—", "——", "–", "/", "无", "空"}
NUMBER_RE = re.compile(r"^([+-]?\d+(?:\.\d+)?)(万元|元|件|条|个|项|次)?$")
SECTION20_RE = re.compile(r"第二十条")
TABLE3_HEADER_RE = re.compile(r"申请人情况|本年新收")
TABLE4_HEADER_RE = re.compile(r"行政复议")


@dataclass(slots=True)
class Stat:
    table: int
    row: str
    column: str
    row_key: str
    column_key: str
    value: int | float
    unit: str | None
    blank: bool

    def to_dict(self) -> dict:
        # by hand: dataclasses.asdict deep-copies, and a report has ~200 cells
        return {"table": self.table, "row": self.row, "column": self.column, "row_key": self.row_key,
                "column_key": self.column_key, "value": self.value, "unit": self.unit, "blank": self.blank}


@lru_cache(maxsize=8192)
def parse_value(text: str) -> tuple[int | float, str | None, bool] | None:
    """"12" → (12, None, False); "&nbsp;"/"-" → (0, None, True); "20.3万元" → (20.3, "万元", False)."""
    label = fold(re.sub(r"[\s,，\u3000\xa0]", "", text)).replace("－", "-").replace("＋", "+")
    if label in BLANK_VALUES:
        return 0, None, True
    m = NUMBER_RE.match(label)
    if not m:
        return None
    number = float(m.group(1))
    value: int | float = int(number) if number.is_integer() and "." not in m.group(1) else number
    return value, m.group(2) if m.group(2) in ("万元", "元") else None, False


def _is_value(cell: Cell) -> bool:
    return parse_value(cell.text) is not None


def _split_row(row: list[Cell]) -> tuple[list[Cell], list[Cell]]:
    """(label cells, value cells): values are the trailing numeric-or-blank cells."""
    cells = distinct(row)
    i = len(cells)
    while i > 0 and _is_value(cells[i - 1]):
        i -= 1
    return cells[:i], cells[i:]


def _match(patterns, label):
    for pattern, *rest in patterns:
        if pattern.search(label):
            return rest
    return None


def _cached_match(patterns):
    """_match over one pattern table, remembered per label: every report repeats the same
    few dozen labels, and table 三's ~30 patterns were tried on each row of each page."""
    @lru_cache(maxsize=4096)
    def match(label: str):
        found = _match(patterns, label)
        return tuple(found) if found is not None else None
    return match


_match_table2_column = _cached_match(TABLE2_COLUMNS)
_match_table2_row = _cached_match(TABLE2_ROWS)
_match_table3_row = _cached_match(TABLE3_ROWS)


class _Reader:
    def __init__(self):
        self.stats: list[Stat] = []
        self.table: int | None = None
        self.columns2: list[tuple[str, str, str | None]] = []
        self.section20: str | None = None

    def add(self, table, row, column, row_key, column_key, cell, unit_hint=None):
        value, unit, blank = parse_value(cell.text)
        self.stats.append(Stat(table, row, column, row_key, column_key, value, unit or unit_hint, blank))

    def read_row(self, row: list[Cell]) -> None:
        labels, values = _split_row(row)
        label_texts = [c.label for c in labels]
        joined = "/".join(label_texts)
        if SECTION20_RE.search(joined) and not values:
            self.table, self.section20, self.columns2 = 2, labels[0].text, []
            return
        if self.table == 2 and "信息内容" in joined:
            self.columns2 = []
            for cell in distinct(row)[1:]:
                found = _match_table2_column(cell.label)
                if found:
                    self.columns2.append((cell.text, found[0], found[1]))
            return
        if TABLE3_HEADER_RE.search(joined) and not (self.table == 3 and values):
            self.table = 3
            if not values:
                return
        if TABLE4_HEADER_RE.search(joined) and "行政诉讼" in joined or (
                self.table == 4 and not values):
            self.table = 4
            return
        if not values:
            return
        if self.table == 2:
            self._table2(labels, values)
        elif self.table == 3:
            self._table3(labels, values)
        elif self.table == 4 and len(values) >= 15 and not labels:
            # empty cells before the figures (the label columns of a table rebuilt from a PDF
            # without rules) are not figures
            while len(values) > 15 and not values[0].text.strip():
                values = values[1:]
            self._table4(values)
        elif self.table == 4 and len(values) >= 15:
            self._table4(values[-15:])

    def _table2(self, labels, values):
        if not labels:
            return
        found = _match_table2_row(labels[-1].label)
        if not found or not self.columns2:
            return
        row_key, section = found
        row = f"{self.section20 or section}/{labels[-1].text}"
        for (column, column_key, unit), cell in zip(self.columns2, values):
            self.add(2, row, column, row_key, column_key, cell, unit)

    def _table3(self, labels, values):
        if len(values) < 7 or not labels:
            return
        path = "/".join(c.label for c in labels)
        found = _match_table3_row(path)
        if not found:
            return
        row = "/".join(c.text for c in labels)
        for (column_key, column), cell in zip(TABLE3_COLUMNS, values[-7:]):
            self.add(3, row, column, found[0], column_key, cell)
        if found[0] == "carried_forward":
            self.table = None

    def _table4(self, values):
        keys = [(f"{g}.{o}", f"{gl}/{ol}") for g, gl in TABLE4_GROUPS for o, ol in TABLE4_OUTCOMES]
        for (column_key, column), cell in zip(keys, values):
            self.add(4, "", column, "cases", column_key, cell)
        self.table = None


def extract_stats(tables: list[tuple[etree._Element, list[list[Cell]]]]) -> list[Stat]:
    """Every cell of tables 二, 三 and 四 in ``tables`` (grid.read_tables)."""
    reader = _Reader()
    for _, grid in tables:
        for row in grid:
            reader.read_row(row)
    return _dedupe(reader.stats)


def _dedupe(stats: list[Stat]) -> list[Stat]:
    """Keep the first cell of each (table, row_key, column_key): pages that print a table twice."""
    seen, out = set(), []
    for s in stats:
        key = (s.table, s.row_key, s.column_key)
        if key not in seen:
            seen.add(key)
            out.append(s)
    return out


def template_from_stats(stats: list[Stat]) -> str | None:
    column_keys = {s.column_key for s in stats if s.table == 2}
    row_keys = {s.row_key for s in stats if s.table == 3}
    if column_keys & COLUMN_KEYS_2021 or row_keys & {"result.other.no_correction", "result.other.fee_unpaid"}:
        return "2021"
    if column_keys & COLUMN_KEYS_2019 or "result.other" in row_keys:
        return "2019"
    return None
