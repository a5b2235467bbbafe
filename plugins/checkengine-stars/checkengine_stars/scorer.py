"""The ``stars`` scorer: the built-in weighted score, mapped to 1-5 stars by configurable bands.

Staff below the minimum star level are "not put on post" (INS-04): ``passed`` is false. A critical
failure fails the inspection whatever the stars, as with the weighted scorer.
"""

from __future__ import annotations

from typing import Any, Mapping

from checkengine.errors import Location, UserError
from checkengine.rulebook.model import Rulebook
from checkengine.scoring import Scorer, grade, overall_score, weighted_sections

# score (0-100) at or above ``min`` earns ``stars``; the first band that fits wins.
DEFAULT_BANDS: tuple[tuple[float, int], ...] = ((90.0, 5), (80.0, 4), (70.0, 3), (60.0, 2), (0.0, 1))
DEFAULT_MIN_STARS = 3
MAX_STARS = 5
_OPTIONS = ("stars", "min_stars", "min_section_stars")


def _fail(book: Rulebook, path: str, problem: str) -> UserError:
    return UserError(problem, Location(book.path or None, path=f"scoring.options.{path}"))


def _star_level(value: Any, book: Rulebook, path: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_STARS:
        raise _fail(book, path, f"expected a whole number of stars from 1 to {MAX_STARS}, got {value!r}")
    return value


def bands_of(book: Rulebook) -> tuple[tuple[float, int], ...]:
    """The rulebook's bands (``scoring.options.stars``), highest first, validated; else the defaults."""
    raw = (book.scoring.get("options") or {}).get("stars")
    if raw is None:
        return DEFAULT_BANDS
    if not isinstance(raw, list) or not raw:
        raise _fail(book, "stars", "expected a list of bands, e.g. [{min: 90, stars: 5}, {min: 0, stars: 1}]")
    bands = []
    for i, band in enumerate(raw):
        if not isinstance(band, Mapping) or set(band) != {"min", "stars"}:
            raise _fail(book, f"stars[{i}]", f"a band has exactly min and stars (e.g. {{min: 90, stars: 5}}), got {band!r}")
        low = band["min"]
        if isinstance(low, bool) or not isinstance(low, (int, float)) or not 0 <= low <= 100:
            raise _fail(book, f"stars[{i}].min", f"expected a score from 0 to 100, got {low!r}")
        bands.append((float(low), _star_level(band["stars"], book, f"stars[{i}].stars")))
    bands.sort(key=lambda b: -b[0])
    if bands[-1][0] > 0:
        # Otherwise a low score would have no star level at all.
        raise _fail(book, "stars", f"the lowest band starts at {bands[-1][0]:g}; add one with min: 0")
    return tuple(bands)


def stars_for(score: float | None, bands: tuple[tuple[float, int], ...]) -> int | None:
    if score is None:
        return None
    for low, stars in bands:
        if score >= low:
            return stars
    return None


class Stars(Scorer):
    name = "stars"

    def score(self, outcomes: list[dict[str, Any]], book: Rulebook) -> dict[str, Any]:
        options = book.scoring.get("options") or {}
        unknown = sorted(set(options) - set(_OPTIONS))
        if unknown:
            raise _fail(book, unknown[0], f"unknown option for the stars scoring; known: {', '.join(_OPTIONS)}")
        bands = bands_of(book)
        min_stars = _star_level(options.get("min_stars", DEFAULT_MIN_STARS), book, "min_stars")
        min_section = options.get("min_section_stars")
        if min_section is not None:
            min_section = _star_level(min_section, book, "min_section_stars")
        earned, possible, sections = weighted_sections(outcomes)
        value = overall_score(earned, possible, sections, book)
        stars = stars_for(value, bands)
        low_sections = []
        for section_id, section in sections.items():
            section["stars"] = stars_for(section["score"], bands)
            if min_section is not None and section["stars"] is not None and section["stars"] < min_section:
                low_sections.append(section_id)
        critical = [o["rule"] for o in outcomes if o["critical"] and o["outcome"] == "fail"]
        pending = [o["rule"] for o in outcomes if o["outcome"] in ("needs_review", "error")]
        below = stars is not None and stars < min_stars
        return {
            "method": self.name,
            "score": value,
            "max": 100,
            "grade": grade(value, book),
            "stars": stars,
            "max_stars": MAX_STARS,
            "min_stars": min_stars,
            # INS-04: below the standard, or a critical failure, means not put on post.
            "passed": not critical and not below and not low_sections,
            "complete": not pending,
            "pending": pending,
            "critical_failures": critical,
            "sections_below_standard": low_sections,
            "sections": sections,
        }
