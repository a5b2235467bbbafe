"""The call-centre and bank-branch domain: its record kinds, its report sections and its defaults.

A built-in plugin registered exactly as a third party's would be (the ``checkengine`` entry-point
group), so that the framework's core names none of them:

- the record kinds (floor and branch inspections, leave requests, swaps, call statistics,
  transcripts ...), each with the JSON Schema of its ``data`` (``kinds.schema.json`` beside this
  file); a transcript's language is ``data.language``; the visits have blank checklists; the
  employee a record is about, without ``subject.employee``, is ``data.agent`` or ``data.requester``;
- the report's monitoring coverage per agent and call loss per day, fed by the rules tagged
  ``monitoring`` and ``call-loss``.

Who follows a failure up and by when is the rulebook's (``follow_up``), not the domain's.
"""

from __future__ import annotations

import json
from functools import lru_cache
import pkgutil
from typing import Any, Callable

from checkengine import hookimpl
from checkengine.kinds import RecordKind
from checkengine.report.sections import ReportSection

#: The employee a record without ``subject.employee`` is about: the agent of a monitored call or a
#: transcript, the requester of a swap (read on every kind, as free-form data may hold them too).
PERSON_FIELDS = ("data.agent", "data.requester")

#: kind -> (what a record of it is, the field naming its text's language, filled in on a visit)
KINDS: dict[str, tuple[str, str | None, bool]] = {
    "floor_inspection": ("an auditor's round of the customer-service floor", None, True),
    "branch_inspection": ("an inspection of a bank branch's counter service", None, True),
    "mystery_shopping": ("an unannounced visit by a mystery shopper", None, True),
    "leave_request": ("one leave request", None, False),
    "attendance": ("one shift of one employee", None, False),
    "shift_swap": ("one entry of the swap log", None, False),
    "monitoring": ("one monitored call", None, False),
    "call_stats": ("one day of one queue", None, False),
    "transcript": ("one call or counter conversation", "data.language", False),
    "report_submission": ("a report handed in", None, False),
    "meeting": ("a meeting held", None, False),
    "complaint": ("a customer complaint", None, False),
    "service_targets": ("a site's results for a period", None, False),
    "handover": ("one shift handover", None, False),
}


@lru_cache(maxsize=1)
def data_schemas() -> dict[str, Any]:
    """kind -> the JSON Schema of its ``data`` (None: free-form), from ``kinds.schema.json``."""
    data = pkgutil.get_data(__name__, "kinds.schema.json")  # importlib.resources costs 7 ms of imports
    assert data is not None
    loaded: dict[str, Any] = json.loads(data.decode("utf-8"))
    return loaded


@hookimpl(trylast=True)
def checkengine_register_record_kinds(register: Callable[[RecordKind], None]) -> None:
    schemas = data_schemas()
    for name, (description, language_field, checklist) in KINDS.items():
        register(RecordKind(name, schemas.get(name), description=description, language_field=language_field,
                            checklist=checklist, person_fields=PERSON_FIELDS))


@hookimpl(trylast=True)
def checkengine_register_report_sections(register: Callable[[ReportSection], None]) -> None:
    register(ReportSection("monitoring_coverage", "per_person", "monitoring",
                           people_roles=("agent",), people_kinds=("monitoring",)))
    register(ReportSection("call_loss", "per_day", "call-loss"))

