"""Key figures stated in a report's narrative, with the sentence they come from."""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from .chinese import fold

NUMBER = r"(\d+(?:,\d{3})*)"
NOT_A_DATE = r"(?![年月日%\d])"
# (name, patterns): tried in order, the first pattern that matches anywhere wins,
# so the explicit 主动公开 statement beats a looser 公开/发布 one. Group 1 is the
# number, group 2 the unit.
FIGURE_PATTERNS = (
    ("proactive_total", (
        re.compile(r"主动(?:公开|向社会公布|公布)[^。；;]{0,80}?(?:政府|政务)?信息(?:共计|共|总计|合计|累计)?\s*"
                   + NUMBER + r"\s*(条|件|个|篇)"),
        re.compile(r"(?:公开|发布)(?:各类|政府|政务)?信息(?:共计|共|总计|合计|累计)?\s*" + NUMBER + r"\s*(条|件|篇)"),
        re.compile(r"公开(?:各类)?\s*" + NUMBER + r"\s*(条|件|篇)(?:各类|政府|政务)?信息"),
    )),
    ("requests_received", (
        re.compile(r"(?:收到|受理|新收|接收|接到)[^。；;，,]{0,24}?信息公开[^。；;，,]{0,4}?申请(?:共计|共|总计|合计)?\s*"
                   + NUMBER + r"\s*(件|条|个|份|人次)?" + NOT_A_DATE),
    )),
)
SENTENCE_RE = re.compile(r"[^。；;\n]*")


@dataclass
class Figure:
    name: str
    value: int
    unit: str | None
    sentence: str

    def to_dict(self) -> dict:
        return asdict(self)


def _sentence_around(text: str, start: int, end: int) -> str:
    left = max(text.rfind(ch, 0, start) for ch in "。；;\n") + 1
    rights = [i for i in (text.find(ch, end) for ch in "。；;\n") if i != -1]
    right = min(rights) + 1 if rights else len(text)
    return text[left:right].strip()


# "截至2019年12月底,累计主动公开…": a running total since the portal began, not the year's.
CUMULATIVE_RE = re.compile(r"截至|截止")


def _first_statement(patterns, folded: str):
    for pattern in patterns:
        for m in pattern.finditer(folded):
            if not CUMULATIVE_RE.search(folded[max(0, m.start() - 20):m.start()]):
                return m
    return None


def extract_figures(text: str) -> list[Figure]:
    """The first statement of each figure, in page order."""
    folded = fold(text)
    found = []
    for name, patterns in FIGURE_PATTERNS:
        m = _first_statement(patterns, folded)
        if m:
            found.append((m.start(), Figure(name, int(m.group(1).replace(",", "")), m.group(2),
                                            _sentence_around(text, m.start(), m.end()))))
    return [f for _, f in sorted(found, key=lambda x: x[0])]
