"""What kind of page this is: an annual report or a look-alike; which template."""
from __future__ import annotations

import re

from .chinese import PINYIN_NOTE_RE, fold

# An annual report's title names 信息公开 and a (年度)报告 / 年报.
REPORT_TITLE_RE = re.compile(
    r"(?:信息公开|政务公开|信息公开工作).{0,12}?(?:年度报告|年度工作报告|工作报告|年报|报告)"
    r"|(?:年度|年)政府信息公开(?:工作)?(?:年度)?报告"
    r"|信息公开年报"
)
# Titles that mention the report but are something else: the notice that asks
# for it, its 解读/图解, the guide, the work plan, the statistical communiqué,
# the annual 政府工作报告 (no 信息公开), lists of reports.
LOOKALIKE_RE = re.compile(
    r"通知|解读|图解|指南|要点|公报|目录|编制|报送|填报|评估|考核|发布会|新闻|征求意见|"
    r"意见|方案|决定|批复|函$|的函|公示|汇总|第三方|检查|督查|清单|目标|计划|总结"
)


def is_annual_report_title(title: str | None) -> bool:
    """True for "XX县2019年政府信息公开工作年度报告", False for its look-alikes."""
    if not title:
        return False
    # Converter pages annotate characters with pinyin: "年度報(bào)告".
    t = PINYIN_NOTE_RE.sub("", fold(title))
    return bool(REPORT_TITLE_RE.search(t)) and not LOOKALIKE_RE.search(t)


TEMPLATE_2021_RE = re.compile(
    r"本年制发件数|本年废止件数|现行有效件数|本年处理决定数量|本年收费金额|〔2021〕30号|\[2021\]30号|（2021）30号"
)
TEMPLATE_2019_RE = re.compile(
    r"本年新制作数量|本年新公开数量|对外公开总数量|采购总金额|政府集中采购|〔2019〕60号|\[2019\]60号|（2019）60号"
    # The 2019 notice issued the format "(试行)"; the 2021 one dropped the word.
    r"|年度报告格式\s*[(（]试行[)）]"
)
LEGACY_HEADING_RE = re.compile(r"概述|概况|基本情况|依申请公开|收费|减免|申诉|咨询|附表|工作人员")
NEW_HEADING_RE = re.compile(r"收到和处理|总体情况")


def detect_template(text: str, headings: list[str], year: int | None) -> str | None:
    """"2021" / "2019" from the table labels (or the notice cited), "legacy" for the
    pre-2019 structures, None when a new-structure report shows neither layout.

    The year only decides what no label can: no report for a year before 2019
    can be in a template that did not exist yet.
    """
    folded = fold(text)
    if TEMPLATE_2021_RE.search(folded):
        return "2021"
    if TEMPLATE_2019_RE.search(folded):
        return "2019"
    folded_headings = [fold(h) for h in headings]
    if any(NEW_HEADING_RE.search(h) for h in folded_headings):
        return None
    if folded_headings and any(LEGACY_HEADING_RE.search(h) for h in folded_headings):
        return "legacy"
    if year is not None and year < 2019:
        return "legacy"
    return None
