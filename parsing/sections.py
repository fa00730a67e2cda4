"""Top-level sections (一、… 六、) of a report, as written.

A top-level heading is a Chinese numeral followed by 、 (or . ．), at the start
of a line. （一）/(一) are subsections. Table rows of section 三 also start
with 一、二、三、四、 ("一、本年新收政府信息公开申请数量"): numerals must follow
in order and table lines (cells separated by tabs or pipes) are never headings.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .chinese import PINYIN_NOTE_RE, fold
from .kinds import section_kind

NUMERALS = "一二三四五六七八九十"
HEADING_START_RE = re.compile(r"^\s*([一二三四五六七八九十]{1,3})\s*[、.．]\s*")
# A heading with nothing after the numeral ("一、\n总体情况" split over lines).
BARE_NUMERAL_RE = re.compile(r"^\s*([一二三四五六七八九十]{1,3})\s*[、.．]\s*$")
HEADING_MAX = 40
# Words that begin section headings of the 2019/2021 template and of older reports;
# used to accept a heading found in the middle of a line and a first heading
# other than 一 (a page that starts mid-report).
KNOWN_HEADING_RE = re.compile(
    r"^(?:本年度)?(?:政府信息公开(?:工作)?的?)?(?:总体情况|概述|概况|基本情况|工作情况|主动公开|收到和处理|"
    r"依申请公开|政府信息公开行政复议|因政府信息公开|行政复议|复议|政府信息公开的?收费|收费|"
    r"存在的?主要问题|存在问题|主要问题|问题|其他|其它|需要说明|附表|说明|咨询|工作人员|重点领域)"
)
# Row labels of the statistics tables that look like headings.
TABLE_ROW_RE = re.compile(r"^(?:本年新收|上年结转|本年度办理结果|结转下年度)")
# A heading that starts a paragraph: the heading ends at the first space or full stop.
HEADING_END_RE = re.compile(r"[\s。：:；;]")
WHITESPACE_RE = re.compile(r"\s+")
INLINE_HEADING_RE = re.compile(r"(?<=\s)([一二三四五六七八九十]{1,2}[、．])(?=\S)")


@dataclass
class Section:
    number: int
    heading: str
    text: str
    kind: str = "other"

    def to_dict(self) -> dict:
        return {"number": self.number, "heading": self.heading, "kind": self.kind, "text": self.text}


def numeral_value(numeral: str) -> int:
    """一 → 1 … 十 → 10, 十一 → 11, 二十 → 20."""
    digits = {ch: i + 1 for i, ch in enumerate(NUMERALS[:9])}
    if numeral == "十":
        return 10
    if numeral.startswith("十"):
        return 10 + digits.get(numeral[1:], 0)
    if "十" in numeral:
        tens, _, ones = numeral.partition("十")
        return digits.get(tens, 0) * 10 + digits.get(ones, 0)
    return digits.get(numeral, 0)


def _split_inline_headings(line: str) -> list[str]:
    """Split "…。 二、主动公开… 三、收到和处理…" (one paragraph in a text dump)."""
    if "、" not in line and "．" not in line:
        return [line]
    pieces, start = [], 0
    for m in INLINE_HEADING_RE.finditer(line):
        after = PINYIN_NOTE_RE.sub("", fold(line[m.end():m.end() + 40]))
        if KNOWN_HEADING_RE.match(after):
            pieces.append(line[start:m.start()].strip())
            start = m.start()
    pieces.append(line[start:].strip())
    return [p for p in pieces if p]


def _join_bare_numerals(lines: list[str]) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(lines):
        if BARE_NUMERAL_RE.match(lines[i]) and i + 1 < len(lines):
            out.append(lines[i].strip() + lines[i + 1].strip())
            i += 2
            continue
        out.append(lines[i])
        i += 1
    return out


def _heading_of(line: str) -> tuple[int, str, str] | None:
    """(number, heading, rest of the line) if the line starts a top-level section."""
    if "\t" in line or "|" in line or "\ue000" in line:  # table lines (see html_text.TABLE_MARK)
        return None
    m = HEADING_START_RE.match(line)
    if not m:
        return None
    after = line[m.end():]
    end = HEADING_END_RE.search(after)
    title = after[: end.start()] if end else after
    rest = after[end.start():].strip() if end else ""
    title = title.strip()
    if not title or len(title) > HEADING_MAX or TABLE_ROW_RE.match(fold(title)):
        return None
    heading = line[: m.end()].strip() + title
    heading = WHITESPACE_RE.sub("", heading)
    return numeral_value(m.group(1)), heading, rest


def split_sections(lines: list[str]) -> tuple[str, list[Section]]:
    """Return (preamble text, sections) from the report's clean lines."""
    expanded: list[str] = []
    for line in _join_bare_numerals(lines):
        expanded.extend(_split_inline_headings(line) if "\t" not in line and "\ue000" not in line else [line])
    preamble: list[str] = []
    sections: list[Section] = []
    body: list[str] = []
    for line in expanded:
        found = _heading_of(line)
        if found:
            number, heading, rest = found
            expected = sections[-1].number + 1 if sections else 1
            first_known = not sections and KNOWN_HEADING_RE.match(fold(heading[heading.find("、") + 1:] if "、" in heading else heading[2:]))
            if number == expected or (not sections and number > 1 and first_known):
                if sections:
                    sections[-1].text = "\n".join(body).strip()
                sections.append(Section(number, heading, "", section_kind(heading)))
                body = [rest] if rest else []
                continue
        (body if sections else preamble).append(line)
    if sections:
        sections[-1].text = "\n".join(body).strip()
    return "\n".join(preamble).strip(), sections
