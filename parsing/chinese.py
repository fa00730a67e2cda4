"""Traditional → simplified folding for matching only (the original text is kept).

Portals' 繁體 switches serve machine-converted copies (郵編, 電話, 政府信息公開);
OpenCC's t2s table lets one set of patterns serve both. The conversion is used
for finding things; slices are then taken from the original text.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import re

import opencc
from opencc import OpenCC

_T2S = OpenCC("t2s")


@lru_cache(maxsize=4096)
def to_simplified(text: str) -> str:
    return _T2S.convert(text)


# "主動(dòng)公開": pinyin notes that some 繁體 converters insert after characters;
# matching ignores them, the text keeps them.
PINYIN_NOTE = r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+\)"
PINYIN_NOTE_RE = re.compile(PINYIN_NOTE)


def _traditional_only_chars() -> str:
    """Characters OpenCC converts to something else (traditional forms), as a regex class."""
    path = Path(opencc.__file__).parent / "dictionary" / "TSCharacters.txt"
    chars = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        source, _, targets = line.partition("\t")
        if len(source) == 1 and targets and targets.split()[0] != source:
            chars.add(source)
    return "".join(sorted(chars))


# A cheap test that spares simplified text the (slow, pure Python) conversion.
_TRADITIONAL_CHARS = frozenset(_traditional_only_chars())


def looks_traditional(text: str) -> bool:
    if len(text) >= LONG_TEXT:
        return _looks_traditional_long(text)
    return _looks_traditional(text)


def _looks_traditional(text: str) -> bool:
    # frozenset.isdisjoint walks the string in C (a 2,700-character regex
    # class costs ten times more), but still makes a str object of every
    # CJK character: ~75 ns a character, 2 ms on a 40 KB page.
    return not text.isascii() and not _TRADITIONAL_CHARS.isdisjoint(text)


def fold(text: str) -> str:
    """Simplified text of the same length (char by char when phrases change length)."""
    if len(text) >= LONG_TEXT:
        return _fold_long(text)
    return _fold(text)


def _fold(text: str) -> str:
    if not _looks_traditional(text):
        return text
    simplified = to_simplified(text)
    if len(simplified) == len(text):
        return simplified
    return "".join(to_simplified(ch) for ch in text)


# parse_report hands the same body text to five readers (template, contact,
# figures, is-it-a-report, page signal) that each fold it: a page's long texts
# are looked at once. A str caches its hash, so a hit costs no pass over it.
LONG_TEXT = 512
_fold_long = lru_cache(maxsize=8)(_fold)
_looks_traditional_long = lru_cache(maxsize=8)(_looks_traditional)


# One run of Chinese characters: counting runs, not characters, spares a str
# object per character (three times faster on a report's text).
CJK_RUN_RE = re.compile(r"[\u3400-\u9fff]+")


def cjk_count(text: str) -> int:
    """The number of Chinese (CJK Unified, and Extension A) characters in ``text``."""
    return sum(map(len, CJK_RUN_RE.findall(text)))
