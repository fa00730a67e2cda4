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
        # "共收到申请政府信息公开26件(次)", "全年共收到依申请公开0件"
        re.compile(r"(?:收到|受理|接到)[^。；;，,]{0,10}?(?:申请(?:政府)?信息公开|依申请公开(?:申请)?)\s*"
                   + NUMBER + r"\s*(件|条|个|份)"),
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
# "共发行《兰州政报》12期,发布政府信息662条": one periodical's count, not the total.
PERIODICAL_RE = re.compile(r"政报|公报|简报|期刊|\d+期")


def _first_statement(patterns, folded: str):
    for rank, pattern in enumerate(patterns):
        for m in pattern.finditer(folded):
            if CUMULATIVE_RE.search(folded[max(0, m.start() - 20):m.start()]):
                continue
            if rank > 0 and PERIODICAL_RE.search(_sentence_around(folded, m.start(), m.end())):
                continue  # looser patterns only: an explicit 主动公开 statement stands
            return m
    return None


def extract_figures(text: str) -> list[Figure]:
    """The first statement of each figure, in page order."""
    folded = fold(text)
    found = []
    for name, patterns in FIGURE_PATTERNS:
        m = _first_statement(patterns, folded)
        if m:
            unit = text[m.start(2):m.end(2)] if m.group(2) else None  # as written (條 stays 條)
            found.append((m.start(), Figure(name, int(m.group(1).replace(",", "")), unit,
                                            _sentence_around(text, m.start(), m.end()))))
    return [f for _, f in sorted(found, key=lambda x: x[0])]
