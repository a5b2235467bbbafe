"""Which font renders which language, and a check that those fonts are installed.

The CSS (``forms/base.css``) picks faces with ``:lang()`` rules: Traditional Chinese uses
Noto Sans CJK TC, Simplified Chinese Noto Sans CJK SC, Korean Noto Sans CJK KR, and Latin
scripts Noto Sans (with the CJK faces as fallbacks for names written in CJK). This module
names the same faces for the code: the HTML ``lang`` attribute and the font check.
"""

from __future__ import annotations

import shutil
import subprocess
from functools import lru_cache

from checkengine.errors import UserError

# The html lang attribute of a form language (what the :lang() rules in base.css match).
HTML_LANG = {"en": "en", "zh-Hant": "zh-Hant", "zh-Hans": "zh-Hans", "ko": "ko", "es": "es"}

# The primary face of each language; Latin text falls back through the CJK faces.
FACES = {
    "zh-Hant": "Noto Sans CJK TC",
    "zh-Hans": "Noto Sans CJK SC",
    "ko": "Noto Sans CJK KR",
    "en": "Noto Sans",
    "es": "Noto Sans",
}

# Form fields (AcroForm) get a single-face TrueType font: a reader needs the whole font to
# show what is typed, and the CJK faces only come as a 20 MB collection (.ttc).
FIELD_FACE = "Noto Sans"

SYSTEM_PACKAGES = {"Noto Sans": "fonts-noto-core", "Noto Sans CJK": "fonts-noto-cjk"}


def html_lang(lang: str) -> str:
    for key, value in HTML_LANG.items():
        if lang == key or lang.startswith(key + "-"):
            return value
    return lang


def face_for(lang: str) -> str:
    return FACES.get(html_lang(lang), FACES["en"])


@lru_cache(maxsize=1)
def installed_families() -> frozenset[str] | None:
    """The font families fontconfig knows, or None when fc-list is unavailable."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return None
    try:
        out = subprocess.run(
            [fc_list, ":", "family"], capture_output=True, text=True, timeout=30, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    families = set()
    for line in out.splitlines():
        for name in line.split(","):
            families.add(name.strip())
    return frozenset(families)


def require_fonts(lang: str) -> None:
    """Raise a UserError naming the package to install when a face the form needs is missing."""
    families = installed_families()
    if families is None:
        return  # no fontconfig tools: WeasyPrint still warns about missing fonts in the log
    needed = {face_for(lang), FIELD_FACE}
    for face in sorted(needed):
        if face not in families:
            package = SYSTEM_PACKAGES["Noto Sans CJK" if "CJK" in face else "Noto Sans"]
            raise UserError(
                f"the font '{face}' needed for '{lang}' forms is not installed; install the "
                f"system package {package} (scripts/system-deps.sh does it)"
            )
