"""Print, per record kind, the fields each bundled rule needs (the table in docs/records.md).

    python scripts/rule_fields.py            # the markdown table, to paste between the markers
    python scripts/rule_fields.py --check    # exit 1 when docs/records.md is out of date

tests/test_docs.py runs the check, so the table cannot drift from the rulebooks.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from checkengine.cel_context import references  # noqa: E402
from checkengine.compiled import CompiledRule  # noqa: E402
from checkengine.engine import Engine  # noqa: E402
from checkengine.lookups import named  # noqa: E402
from checkengine.rulebook.load import load_rulebook  # noqa: E402
from checkengine.unknown import has_paths  # noqa: E402

BEGIN = "<!-- rule-fields:begin (scripts/rule_fields.py) -->"
END = "<!-- rule-fields:end -->"
_OPTIONS = ("field", "from", "to", "same_day_as", "intervals", "numerator", "denominator", "country")
_AUDIENCE = {"roles": "subject.role", "teams": "subject.team", "sites": "site.id",
             "shifts": "shift.kind or data.shift_kind"}


def _paths(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else [v for v in value if isinstance(v, str)] if isinstance(
        value, list) else []


def describe(compiled: CompiledRule) -> tuple[list[str], list[str], list[str]]:
    """(fields needed, fields whose absence the rule gives a meaning, lookups used)."""
    rule = compiled.rule
    needed: list[str] = list(rule.needs)
    stated: list[str] = []
    used: list[str] = []
    for key, field in _AUDIENCE.items():
        if rule.applies_to.get(key):
            needed.append(field)
    spec = rule.check
    observed = getattr(compiled.check, "required_field", None)
    for option in _OPTIONS:
        for path in _paths(spec.get(option)):
            needed.append(f"{path} †" if path == observed else path)
    if compiled.is_group:
        needed += [f"{p} ‡" for p in _paths(spec.get("date"))]
    for condition in compiled.conditions:
        read, _ = references(condition.source)
        guarded = has_paths(condition)
        for path in sorted(".".join(p) for p in read or ()):
            (stated if path in guarded else needed).append(path)
        used += named(condition.source)
    unique = lambda xs: sorted(x for x in dict.fromkeys(xs) if x not in ("kind", "id"))  # noqa: E731
    needed = unique(needed)
    return needed, [s for s in unique(stated) if s not in needed], unique(used)


def table() -> str:
    rows: dict[str, list[str]] = {}
    for path in sorted((ROOT / "rulebooks").glob("*.yaml")):
        book = load_rulebook(path)
        for compiled in Engine(book).rules:
            needed, stated, used = describe(compiled)
            kinds = sorted(compiled.kinds) if compiled.kinds else ["(any kind)"]
            cell = ", ".join(f"`{n}`" for n in needed) or "—"
            if used:
                cell += "; the run's " + ", ".join(f"`lookup {u}`" for u in used)
            for kind in kinds:
                rows.setdefault(kind, []).append(
                    f"| `{compiled.rule.id}` | {book.id} | {cell} | {', '.join(f'`{s}`' for s in stated) or '—'} |")
    out = [BEGIN]
    for kind in sorted(rows):
        out += ["", f"#### `{kind}`", "", "| rule | rulebook | needs (missing or null: needs_review) | "
                "absence has the meaning the rule states |", "|---|---|---|---|", *rows[kind]]
    out += ["", END]
    return "\n".join(out)


def main(argv: list[str]) -> int:
    text = table()
    if "--check" in argv:
        doc = (ROOT / "docs" / "records.md").read_text("utf-8")
        start, end = doc.find(BEGIN), doc.find(END)
        current = doc[start:end + len(END)] if start >= 0 and end >= 0 else ""
        if current != text:
            print("docs/records.md: the table of fields each rule needs is out of date; "
                  "run python scripts/rule_fields.py and paste its output between the markers")
            return 1
        return 0
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
