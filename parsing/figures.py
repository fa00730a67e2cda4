"""Key figures stated in a report's narrative, with the sentence they come from."""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from .chinese import fold

NUMBER = r"(\d+(?:,\d{3})*)"
# (name, pattern): group 1 is the number, group 2 the unit.
FIGURE_PATTERNS = (
    ("proactive_total", re.compile(
        r"主动公开(?:各类)?(?:政府)?信息(?:共计|共|总计|合计|累计)?\s*" + NUMBER + r"\s*(条|件|个|篇)")),
    ("requests_received", re.compile(
        r"(?:收到|受理|新收|接收|接到)[^。；;，,]{0,24}?(?:政府)?信息公开申请(?:共计|共|总计|合计)?\s*" + NUMBER
        + r"\s*(件|条|个|份|人次)")),
)
SENTENCE_RE = re.compile(r"[^。；;\n]*")


@dataclass
class Figure:
    name: str
    value: int
    unit: str
    sentence: str

    def to_dict(self) -> dict:
        return asdict(self)


def _sentence_around(text: str, start: int, end: int) -> str:
    left = max(text.rfind(ch, 0, start) for ch in "。；;\n") + 1
    rights = [i for i in (text.find(ch, end) for ch in "。；;\n") if i != -1]
    right = min(rights) + 1 if rights else len(text)
    return text[left:right].strip()


def extract_figures(text: str) -> list[Figure]:
    """The first statement of each figure, in page order."""
    folded = fold(text)
    found = []
    for name, pattern in FIGURE_PATTERNS:
        m = pattern.search(folded)
        if m:
            found.append((m.start(), Figure(name, int(m.group(1).replace(",", "")), m.group(2),
                                            _sentence_around(text, m.start(), m.end()))))
    return [f for _, f in sorted(found, key=lambda x: x[0])]
