"""The workspace's own words (``labels.yaml``) in the page's language."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from checkengine.i18n import UI_LANGUAGES


@lru_cache(maxsize=1)
def catalogue() -> dict[str, dict[str, str]]:
    text = resources.files("checkengine.web").joinpath("labels.yaml").read_text("utf-8")
    data: dict[str, dict[str, str]] = yaml.safe_load(text)
    return data


class Labels:
    """``L.pass``, ``L("section", n=1, total=5)``: a label in one language (English when missing)."""

    def __init__(self, lang: str) -> None:
        self.lang = lang if lang in UI_LANGUAGES else "en"

    def __getattr__(self, key: str) -> str:
        entry = catalogue().get(key)
        if entry is None:
            raise AttributeError(key)
        return entry.get(self.lang) or entry["en"]

    def get(self, key: str, default: str) -> str:
        entry = catalogue().get(key)
        return default if entry is None else entry.get(self.lang) or entry["en"]

    def __call__(self, key: str, **values: Any) -> str:
        return str(getattr(self, key)).format_map(values)
