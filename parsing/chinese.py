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
    # frozenset.isdisjoint walks the string in C; a 2,700-character regex
    # class costs ten times more per call.
    return not text.isascii() and not _TRADITIONAL_CHARS.isdisjoint(text)


def fold(text: str) -> str:
    """Simplified text of the same length (char by char when phrases change length)."""
    if not looks_traditional(text):
        return text
    simplified = to_simplified(text)
    if len(simplified) == len(text):
        return simplified
    return "".join(to_simplified(ch) for ch in text)
