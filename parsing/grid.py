"""HTML tables as grids, with rowspan and colspan expanded.

A cell spanning several rows or columns appears in each grid position it
covers, with the same ``cell_id``, so a reader can tell one wide cell from
several equal ones. lxml gives the tree; the expansion is the standard
algorithm (no maintained library does it on lxml trees without pandas).
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from lxml import etree

from .chinese import PINYIN_NOTE_RE, fold

SPACES_RE = re.compile(r"[\s\u3000\xa0\u200b]+")
BRACKETS = str.maketrans({"（": "(", "）": ")", "：": ":", "／": "/", "，": ",", "“": '"', "”": '"', "－": "-"})
MAX_SPAN = 60  # hostile pages put rowspan="100000" on a cell


class Cell(NamedTuple):  # a NamedTuple: built ~200 times a page, a frozen dataclass is 3x slower
    cell_id: int
    text: str      # as a reader sees it: whitespace collapsed
    label: str     # for matching: no whitespace, simplified, ASCII brackets


def text_of(el: etree._Element) -> str:
    """An element's text (libxml2's text serialisation: several times faster than itertext)."""
    return etree.tostring(el, method="text", encoding="unicode", with_tail=False)


@lru_cache(maxsize=16384)
def cell_label(text: str) -> str:
    return PINYIN_NOTE_RE.sub("", fold(SPACES_RE.sub("", text))).translate(BRACKETS)


@lru_cache(maxsize=16384)
def _cell_strings(raw: str) -> tuple[str, str]:
    """(text, label) of a cell's raw text: the same few hundred texts recur on every report."""
    text = " ".join(raw.replace("\u200b", "").split())
    return text, cell_label(text)


_new_cell = tuple.__new__  # Cell(...) without NamedTuple's Python-level __new__


def _span(value: str | None) -> int:
    if value is None:
        return 1
    try:
        return max(1, min(int(str(value).strip() or 1), MAX_SPAN))
    except ValueError:
        return 1


def innermost_tables(root: etree._Element) -> list[etree._Element]:
    """Tables that hold no other table: data tables, not page layout."""
    return [t for t in root.iter("table") if not any(True for _ in t.iterdescendants("table"))]


LAYOUT_CELL_CHARS = 200  # a cell holding a paragraph: layout, not data


def is_data_grid(grid: list[list["Cell"]]) -> bool:
    """A table of figures or labels: several rows, some with several cells, no
    paragraph-long cell (that is a page laid out with a table)."""
    if len(grid) < 2 or max(len(distinct(row)) for row in grid) < 2:
        return False
    return all(len(cell.text) <= LAYOUT_CELL_CHARS for row in grid for cell in row)


def read_tables(root: etree._Element) -> list[tuple[etree._Element, list[list["Cell"]]]]:
    """(table, grid) for every innermost table under ``root``, in page order."""
    return [(table, table_grid(table)) for table in innermost_tables(root)]


def table_grid(table: etree._Element) -> list[list[Cell]]:
    grid: dict[int, dict[int, Cell]] = {}
    next_id = 0
    for r, tr in enumerate(table.iter("tr")):
        taken = grid.setdefault(r, {})
        c = 0
        for td in tr:
            tag = td.tag
            if tag != "td" and tag != "th":
                continue
            while c in taken:
                c += 1
            # A cell without children holds its text itself: no serialisation needed.
            text, label = _cell_strings(text_of(td) if len(td) else td.text or "")
            cell = _new_cell(Cell, (next_id, text, label))
            next_id += 1
            rowspan, colspan = td.get("rowspan"), td.get("colspan")
            if rowspan is None and colspan is None:
                taken[c] = cell
                c += 1
                continue
            rows, cols = _span(rowspan), _span(colspan)
            for dr in range(rows):
                target = taken if dr == 0 else grid.setdefault(r + dr, {})
                for dc in range(cols):
                    target.setdefault(c + dc, cell)
            c += cols
    return [[row[c] for c in sorted(row)] for _, row in sorted(grid.items()) if row]


def distinct(row: list[Cell]) -> list[Cell]:
    """The row's cells once each (a colspan cell counts once)."""
    return list(dict.fromkeys(row))  # Cells are tuples: equal only when they are the same cell
