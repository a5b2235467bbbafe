"""The aggregate sections of the monthly report, and the plugin type that says which rules feed them.

The report has two shapes of aggregate section: a count per person (``per_person``: how many times
each person was counted in the month against the rule's minimum, with everyone who should have
been counted and was not) and a rate per day (``per_day``: the day's rate against the rule's
maximum). Which group rules feed a section is said by a tag on the rule; a domain plugin registers
the sections (``checkengine_register_report_sections``), so the report names no rule of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Shape = Literal["per_person", "per_day"]


@dataclass(frozen=True, eq=False)
class ReportSection:
    """One aggregate section of the report.

    :ivar name: the section's name (unique across plugins).
    :ivar shape: ``per_person`` (a count rule grouped by ``employee``) or ``per_day`` (a rate rule
        with ``period: day``).
    :ivar tag: the tag (``tags:`` of a rule) of the group rules that feed the section.
    :ivar people_roles: ``per_person``: the people who must be counted are those with a record in
        the period whose ``subject.role`` is one of these ...
    :ivar people_kinds: ... or who are the subject of a record of one of these kinds.
    """

    name: str
    shape: Shape
    tag: str
    people_roles: tuple[str, ...] = ()
    people_kinds: tuple[str, ...] = ()
