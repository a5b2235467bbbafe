"""Waivers: approved, dated exceptions to a rule for a site, a team or an employee."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Iterable, Mapping

from checkengine import validation
from checkengine.errors import Location, UserError
from checkengine.inputs import display_path
from checkengine.yamlio import load_file


@dataclass(frozen=True)
class Waiver:
    rule: str
    reason: Any
    approved_by: str
    expires: str
    granted: str | None = None
    site: str | None = None
    employee: str | None = None
    team: str | None = None
    id: str | None = None
    location: Location = Location()

    def covers(self, scope: Mapping[str, Any]) -> bool:
        return all(
            want is None or scope.get(key) == want
            for key, want in (("site", self.site), ("employee", self.employee), ("team", self.team))
        )

    def active_on(self, on: date | None) -> bool:
        if on is None:
            return True
        day = on.isoformat()
        return (self.granted is None or self.granted <= day) and day <= self.expires

    def as_dict(self, *, status: str) -> dict[str, Any]:
        return {
            "id": self.id, "rule": self.rule, "status": status, "reason": self.reason,
            "approved_by": self.approved_by, "granted": self.granted, "expires": self.expires,
            "scope": {k: v for k, v in (("site", self.site), ("employee", self.employee),
                                        ("team", self.team)) if v is not None},
            "file": self.location.file, "line": self.location.line,
        }


def load_waivers(path: Path | str) -> list[Waiver]:
    path = Path(path)
    doc = load_file(path, display=display_path(path))
    if not isinstance(doc.data, dict):
        raise UserError("expected a waivers file (checkengine: 1, kind: waivers, waivers: [...])",
                        Location(doc.file, 1, 1))
    validation.validate("waivers", doc)
    out = []
    for i, item in enumerate(doc.data["waivers"]):
        scope = item.get("scope") or {}
        out.append(Waiver(
            rule=item["rule"], reason=item["reason"], approved_by=item["approved_by"],
            expires=item["expires"], granted=item.get("granted"), site=scope.get("site"),
            employee=scope.get("employee"), team=scope.get("team"), id=item.get("id"),
            location=doc.location(("waivers", i)),
        ))
    return out


class WaiverIndex:
    def __init__(self, waivers: Iterable[Waiver]) -> None:
        self.by_rule: dict[str, list[Waiver]] = {}
        for w in waivers:
            self.by_rule.setdefault(w.rule, []).append(w)

    def lookup(self, rule: str, scope: Mapping[str, Any], on: date | None) -> tuple[Waiver | None, Waiver | None]:
        """(the waiver in force for this rule and scope, else the newest expired one that matched)."""
        candidates = self.by_rule.get(rule)
        if not candidates:
            return None, None
        expired = None
        for w in candidates:
            if not w.covers(scope):
                continue
            if w.active_on(on):
                return w, None
            if on is not None and on.isoformat() > w.expires:
                if expired is None or w.expires > expired.expires:
                    expired = w
        return None, expired
