"""A normalized kind for each section, so the same SQL works across templates and years."""
from __future__ import annotations

import re

from .chinese import PINYIN_NOTE_RE, fold

# Ordered: the first pattern that matches the heading decides.
SECTION_KINDS = (
    (re.compile(r"工作人员|职能|机构设置"), "other"),
    (re.compile(r"复议|诉讼|申诉"), "review_litigation"),
    (re.compile(r"收费|减免"), "fees"),
    (re.compile(r"收到和处理|依申请|申请公开|咨询"), "requests"),
    (re.compile(r"主动公开|重点领域|^政府信息公开情况$"), "proactive"),
    (re.compile(r"问题|改进|不足|下一步"), "problems"),
    # "概" alone: a 概述 whose second character the page lost (a real 2010 page).
    (re.compile(r"总体情况|概述|概况|基本情况|工作情况|总体|^概$"), "overview"),
)


NUMERAL_PREFIX_RE = re.compile(r"^[一二三四五六七八九十]+\s*[、.．]")


def section_kind(heading: str) -> str:
    text = PINYIN_NOTE_RE.sub("", fold(heading))
    text = NUMERAL_PREFIX_RE.sub("", text)
    for pattern, kind in SECTION_KINDS:
        if pattern.search(text):
            return kind
    return "other"
