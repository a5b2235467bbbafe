"""``checkengine explain``: the merged rulebook, as an overlay really yields it."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import click

from checkengine.commands._common import DATE, open_output


def as_of(merged: dict[str, Any], on: date | None) -> dict[str, Any]:
    """The merged book restricted to what is in force on *on*: rules and one value per parameter."""
    if on is None:
        return merged
    day = on.isoformat()
    out = dict(merged)
    params = {}
    for name, p in merged.get("parameters", {}).items():
        dated = [d for d in sorted(p["values"]) if d <= day]
        if dated:
            params[name] = {**p, "values": {dated[-1]: p["values"][dated[-1]]}}
    out["parameters"] = params
    sections = []
    for s in merged.get("sections", []):
        rules = []
        for r in s.get("rules", []):
            eff = r.get("effective") or {}
            if (eff.get("from") or "") <= day and (eff.get("until") is None or day <= eff["until"]):
                rules.append(r)
        sections.append({**s, "rules": rules})
    out["sections"] = sections
    if "sources" in merged:
        cited = {c for s in sections for r in s["rules"] for c in _clauses(r)}
        out["sources"] = {cid: c for cid, c in merged["sources"].items() if cid in cited}
    out["as_of"] = day
    return out


def _clauses(rule: dict[str, Any]) -> list[str]:
    """The clause ids a rule cites (``source`` is an id, a {clause: id}, or a list of them)."""
    items = rule.get("source")
    items = items if isinstance(items, list) else [items]
    return [item["clause"] if isinstance(item, dict) else str(item) for item in items]


@click.command("explain")
@click.argument("rulebook")
@click.option("--on", type=DATE, help="Show only what is in force on this date.")
@click.option("--format", "-f", "fmt", type=click.Choice(["yaml", "json"]), default="yaml", show_default=True)
@click.option("--output", "-o", metavar="FILE", help="Write to FILE instead of stdout.")
def command(rulebook: str, on: date | None, fmt: str, output: str | None) -> int:
    """Print RULEBOOK merged with everything it extends, with its content digest."""
    import yaml

    from checkengine.rulebook.load import load_rulebook

    book = load_rulebook(rulebook)
    merged = {"digest": book.digest, "files": book.files, **as_of(book.merged, on)}
    with open_output(output) as out:
        if fmt == "json":
            json.dump(merged, out, ensure_ascii=False, indent=2)
            out.write("\n")
        else:
            yaml.safe_dump(merged, out, allow_unicode=True, sort_keys=False, width=100)
    return 0
