"""Text folding for phrase matching: width, script (Traditional/Simplified Chinese), case and pauses.

Full-width and half-width forms are unified with Unicode NFKC; Traditional Chinese is converted to
Simplified with OpenCC (``t2s``), so a phrase list written in either script matches a transcript
in the other.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import opencc


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    import opencc  # when Chinese is first folded: every command loads the plugins that import this module

    return opencc.OpenCC("t2s")


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """*text* in one canonical form: NFKC, Simplified Chinese, lower case, single spaces."""
    normal = unicodedata.normalize("NFKC", text)
    if any("\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" for ch in normal):
        normal = _t2s().convert(normal)
    return " ".join(normal.casefold().split())


def _unspaced(ch: str) -> bool:
    """Scripts written without spaces between words (Han, kana, Hangul syllables and jamo)."""
    return ("\u3040" <= ch <= "\u30ff" or "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"
            or "\uac00" <= ch <= "\ud7af" or "\u1100" <= ch <= "\u11ff" or "\u3130" <= ch <= "\u318f")


def _pause(ch: str) -> bool:
    """Punctuation and spacing: what a transcriber writes for a speaker's pause."""
    return ch.isspace() or unicodedata.category(ch).startswith("P") or ch in "~"


@lru_cache(maxsize=65536)
def phrase_key(text: str) -> str:
    """*text* :func:`fold`-ed, with the pauses a speaker makes inside a phrase folded away.

    Punctuation and spaces are dropped next to Han, kana and Hangul (a comma in 請問，你辦理
    什麼業務 or a space in 도와 드릴까요 is a pause, not other words); elsewhere a run of them is
    one space (``hello, how may I help`` is ``hello how may i help``), so Latin words stay apart.
    """
    folded = fold(text)
    out: list[str] = []
    gap = False
    for ch in folded:
        if _pause(ch):
            gap = True
            continue
        if gap and out and not (_unspaced(out[-1]) or _unspaced(ch)):
            out.append(" ")
        gap = False
        out.append(ch)
    return "".join(out)


def _spaced_word(ch: str) -> bool:
    return ch.isalnum() and not _unspaced(ch)


def said(phrase: str, text: str) -> bool:
    """Whether *phrase* is said in *text*, both as :func:`phrase_key` gives them.

    A phrase that begins or ends with a letter of a spaced script (Latin, Cyrillic ...) must start
    and end at a word boundary there: ``hi`` is not said in ``this``, ``no way`` not in
    ``piano wayward``. Han, kana and Hangul have no such boundaries to respect.
    """
    if not phrase:
        return False
    start = text.find(phrase)
    while start >= 0:
        end = start + len(phrase)
        if not (_spaced_word(phrase[0]) and start > 0 and _spaced_word(text[start - 1])) and not (
            _spaced_word(phrase[-1]) and end < len(text) and _spaced_word(text[end])
        ):
            return True
        start = text.find(phrase, start + 1)
    return False
