"""Traditional → simplified folding for matching only (the original text is kept).

Portals' 繁體 switches serve machine-converted copies (郵編, 電話, 政府信息公開);
OpenCC's t2s table lets one set of patterns serve both. The conversion is used
for finding things; slices are then taken from the original text.
"""
from __future__ import annotations

from functools import lru_cache

from opencc import OpenCC

_T2S = OpenCC("t2s")


@lru_cache(maxsize=4096)
def to_simplified(text: str) -> str:
    return _T2S.convert(text)


# Characters that occur in traditional text and never in simplified text of
# these reports: a cheap test that spares simplified pages the conversion.
_TRADITIONAL_HINT = set("開報資電郵編傳與為門關會這們個國發佈總體數據條處請聯繫繁機構於業過書內務區縣鄉鎮證複議訴訟")


def looks_traditional(text: str) -> bool:
    return any(ch in _TRADITIONAL_HINT for ch in text)


def fold(text: str) -> str:
    """Simplified text of the same length (char by char when phrases change length)."""
    if not looks_traditional(text):
        return text
    simplified = to_simplified(text)
    if len(simplified) == len(text):
        return simplified
    return "".join(to_simplified(ch) for ch in text)
