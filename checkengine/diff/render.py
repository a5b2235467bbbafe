"""The impact report as text (people), JSON (tools) or Markdown (a pull-request comment)."""

from __future__ import annotations

import json
from typing import Any, Iterator

from checkengine.batch.output import TextSink
from checkengine.diff.rules import BookDiff, show
from checkengine.diff.run import ReplayResult
from checkengine.rulebook.model import Rulebook

# A pull-request comment holds at most 65,536 characters; the Markdown report lists this many
# changed records and groups at most, and says how many more there are.
MARKDOWN_ROWS = 100


def _book(book: Rulebook) -> dict[str, Any]:
    return {"id": book.id, "version": book.version, "digest": book.digest}


def _where(entry: dict[str, Any]) -> str:
    if entry.get("record") is not None:
        rec = entry["record"]
        place = f"{rec['file']}:{rec['line']}" if rec.get("line") else str(rec.get("file") or "-")
        return f"{place} {rec['id']}"
    return "[" + " ".join(f"{k}={v}" for k, v in (entry.get("group") or {}).items()) + "]"


def _changed_entries(replay: ReplayResult) -> Iterator[dict[str, Any]]:
    yield from replay.changed_entries()
    for group in replay.groups:
        yield group.as_dict()


def dump(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False)


def render_json(diff: BookDiff, replay: ReplayResult | None, out: TextSink) -> None:
    out.write("{\n")
    out.write(f'"old": {dump(_book(diff.old))},\n"new": {dump(_book(diff.new))},\n')
    out.write(f'"rulebook": {dump([c.as_dict() for c in diff.book])},\n')
    out.write(f'"rules": {dump([c.as_dict() for c in diff.rules])},\n')
    out.write(f'"parameters": {dump([c.as_dict() for c in diff.parameters])},\n')
    out.write(f'"affects_verdicts": {dump(diff.affects_verdicts)},\n')
    if replay is None:
        out.write('"replay": null\n}\n')
        return
    head = {"sources": replay.sources, "records": replay.records, "unusable": replay.unusable,
            "changed_records": replay.changed_records, "changed_groups": len(replay.groups),
            "interrupted": replay.interrupted,
            "transitions": [{"rule": r, "old": a, "new": b, "count": n}
                            for (r, a, b), n in sorted(replay.transitions.items())]}
    out.write('"replay": ' + dump(head)[:-1] + ', "records_changed": [')
    first = True
    for entry in replay.changed_entries():  # streamed from the spool: any number of records
        out.write(("\n" if first else ",\n") + dump(entry))
        first = False
    out.write('],\n"groups_changed": [' + ",\n".join(dump(g.as_dict()) for g in replay.groups) + "]}\n}\n")


def render_text(diff: BookDiff, replay: ReplayResult | None, out: TextSink) -> None:
    old, new = diff.old, diff.new
    out.write(f"rulebook {old.id} {old.version} ({old.digest[:19]}) -> {new.id} {new.version} ({new.digest[:19]})\n")
    for change in diff.book:
        out.write(f"  {change.text()}\n")
    out.write(f"\nrules: {len(diff.rules)} changed\n" if diff.rules else "\nrules: no change\n")
    for rc in diff.rules:
        detail = f": {rc.reason}" if rc.reason else ""
        out.write(f"  {rc.kind:<8} {rc.rule} ({rc.section}) {rc.title}{detail}\n")
        for fc in rc.changes:
            out.write(f"           {fc.text()}\n")
    if diff.parameters:
        out.write(f"\nparameters: {len(diff.parameters)} changed\n")
    for pc in diff.parameters:
        readers = f"; read by {', '.join(pc.rules)}" if pc.rules else ""
        out.write(f"  {pc.kind:<8} {pc.name}: {'; '.join(v.text() for v in pc.values)}{readers}\n")
    if replay is None:
        return
    cut = " (interrupted: the records up to there)" if replay.interrupted else ""
    out.write(f"\nreplay of {replay.records} records ({replay.unusable} unusable) from "
              f"{', '.join(replay.sources)}{cut}\n")
    if not replay.changed:
        out.write("  no outcome changes\n")
        return
    for (rule, a, b), count in sorted(replay.transitions.items()):
        out.write(f"  {rule}: {a} -> {b}: {count}\n")
    out.write("\n")
    for entry in _changed_entries(replay):
        for change in entry["changes"]:
            out.write(f"{_where(entry)} {change['rule']}: {change['old']} -> {change['new']}\n")
            out.write(f"    old: {change['old_explanation'] or '—'}\n")
            out.write(f"    new: {change['new_explanation'] or '—'}\n")
    out.write(f"\n{replay.changed_records} records and {len(replay.groups)} aggregate groups change outcome\n")


def md(text: Any) -> str:
    """A table cell: pipes escaped, line breaks flattened, HTML neutralised."""
    value = show(text) if not isinstance(text, str) else text
    return (value.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").replace("<", "&lt;")
            .replace(">", "&gt;"))


def code(text: str) -> str:
    return "`" + text.replace("`", "'") + "`"


def render_markdown(diff: BookDiff, replay: ReplayResult | None, out: TextSink, *, rows: int = MARKDOWN_ROWS) -> None:
    old, new = diff.old, diff.new
    out.write(f"## Rulebook impact: {code(new.id)} {md(old.version)} → {md(new.version)}\n\n")
    out.write(f"Old: {code(old.id)} {md(old.version)} {code(old.digest[:19])} · "
              f"new: {code(new.id)} {md(new.version)} {code(new.digest[:19])}\n\n")
    if diff.empty:
        out.write("No rule, parameter or rulebook setting changed.\n\n")
    if diff.book:
        out.write("| Setting | Old | New |\n|---|---|---|\n")
        for change in diff.book:
            out.write(f"| {code(change.path)} | {md(change.old)} | {md(change.new)} |\n")
        out.write("\n")
    if diff.rules:
        out.write(f"### Rules ({len(diff.rules)})\n\n| Rule | Change | Details |\n|---|---|---|\n")
        for rc in diff.rules:
            details = [c.text() for c in rc.changes] or ([rc.reason] if rc.reason else [rc.title])
            out.write(f"| {code(rc.rule)} | {rc.kind} | {'<br>'.join(md(d) for d in details)} |\n")
        out.write("\n")
    if diff.parameters:
        out.write("### Parameters\n\n| Parameter | Values | Read by |\n|---|---|---|\n")
        for pc in diff.parameters:
            out.write(f"| {code(pc.name)} | {'<br>'.join(md(v.text()) for v in pc.values)} | "
                      f"{', '.join(code(r) for r in pc.rules) or '—'} |\n")
        out.write("\n")
    if replay is None:
        return
    cut = " (interrupted)" if replay.interrupted else ""
    out.write(f"### Replay of {replay.records} records{cut}\n\n")
    if not replay.changed:
        out.write("**No outcome changes.**\n")
        return
    out.write(f"**{replay.changed_records} records and {len(replay.groups)} aggregate groups would change "
              "outcome.**\n\n| Rule | Old → new | Records and groups |\n|---|---|---|\n")
    for (rule, a, b), count in sorted(replay.transitions.items()):
        out.write(f"| {code(rule)} | {a} → {b} | {count} |\n")
    total = replay.changed_records + len(replay.groups)
    shown = min(total, rows)
    out.write(f"\n<details><summary>Changed records and groups ({shown} of {total})</summary>\n\n"
              "| Record or group | Rule | Old → new | Old explanation | New explanation |\n|---|---|---|---|---|\n")
    written = 0
    for entry in _changed_entries(replay):
        if written >= rows:
            break
        for change in entry["changes"]:
            out.write(f"| {md(_where(entry))} | {code(change['rule'])} | {change['old']} → {change['new']} | "
                      f"{md(change['old_explanation'] or '—')} | {md(change['new_explanation'] or '—')} |\n")
        written += 1
    out.write("\n</details>\n")
    if total > shown:
        out.write(f"\n{total - shown} more not listed; `checkengine diff --format json` lists them all.\n")
