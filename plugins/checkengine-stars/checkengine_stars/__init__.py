"""checkengine plugin: the ``stars`` scoring method (star rating of counter staff, INS-03/INS-04)."""

from __future__ import annotations

from typing import Callable

from checkengine import hookimpl
from checkengine.scoring import Scorer
from checkengine_stars.scorer import DEFAULT_BANDS, DEFAULT_MIN_STARS, Stars

__all__ = ["DEFAULT_BANDS", "DEFAULT_MIN_STARS", "Stars", "checkengine_register_scorers"]


@hookimpl
def checkengine_register_scorers(register: Callable[[Scorer], None]) -> None:
    register(Stars())
