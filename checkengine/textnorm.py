"""Text folding for phrase matching: width, script (Traditional/Simplified Chinese) and case.

Full-width and half-width forms are unified with Unicode NFKC; Traditional Chinese is converted to
Simplified with OpenCC (``t2s``), so a phrase list written in either script matches a transcript
in the other.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

import opencc


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """*text* in one canonical form: NFKC, Simplified Chinese, lower case, single spaces."""
    normal = unicodedata.normalize("NFKC", text)
    if any("\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" for ch in normal):
        normal = _t2s().convert(normal)
    return " ".join(normal.casefold().split())
