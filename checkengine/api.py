"""The Python API: what the commands, the forms and embedding applications call."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, Iterable

from checkengine.engine import Engine
from checkengine.errors import Location, UserError
from checkengine.plugins import Registry, default_registry
from checkengine.records import Record, RecordError, check_record, iter_records
from checkengine.rulebook.load import RulebookLoader, digest, load_rulebook
from checkengine.rulebook.model import Rulebook
from checkengine.waivers import Waiver, load_waivers


def rulebook_from_merged(merged: dict[str, Any]) -> Rulebook:
    """Rebuild a rulebook from its merged form (as embedded in a signed form, or printed by explain).

    The merged form carries the cited clauses under ``sources``; they become a sources catalogue.
    """
    import json
    import tempfile

    import yaml

    data = json.loads(json.dumps(merged))
    cited = data.pop("sources", {}) or {}
    data.pop("disabled", None)
    if cited:
        data["sources"] = [{
            "id": "embedded",
            "title": "sources embedded in the merged rulebook",
            "clauses": [
                {"id": cid, "clause": c.get("clause", cid), "text": c.get("text", "")}
                for cid, c in cited.items()
            ],
        }]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "embedded.rulebook.yaml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
        book = load_rulebook(path)
    # The digest is that of the merged form as originally computed.
    book.digest = digest(merged)
    book.path = "(embedded)"
    return book


def engine_for(
    book: Rulebook,
    *,
    lang: str | None = None,
    on: date | None = None,
    waivers: Iterable[Waiver] | str | Path | None = None,
    registry: Registry | None = None,
) -> Engine:
    if isinstance(waivers, (str, Path)):
        waivers = load_waivers(waivers)
    return Engine(book, registry=registry, lang=lang, on=on, waivers=waivers or ())


def load_record(record_path: str | Path, *, registry: Registry | None = None) -> dict[str, Any]:
    """The single validated record in *record_path*, as a plain dict."""
    items = list(iter_records([record_path], registry or default_registry()))
    records = [i for i in items if isinstance(i, Record)]
    problems = [i for i in items if isinstance(i, RecordError)]
    if problems:
        raise UserError(problems[0].message, problems[0].location)
    if len(records) != 1:
        raise UserError(f"expected exactly one record, found {len(records)}", Location(str(record_path)))
    return records[0].data


def evaluate_record_data(
    book: Rulebook,
    record: dict[str, Any],
    *,
    lang: str | None = None,
    waivers: Iterable[Waiver] | str | Path | None = None,
    on: date | None = None,
    file: str = "-",
) -> dict[str, Any]:
    """Evaluate one record given as data; the result has exactly one entry in ``records``."""
    engine = engine_for(book, lang=lang, waivers=waivers, on=on)
    checked = check_record(dict(record), Location(file, 1, 1))
    if isinstance(checked, RecordError):
        raise UserError(checked.message, checked.location)
    result = engine.run([checked])
    if result["errors"]:
        err = result["errors"][0]
        raise UserError(err["message"], Location(err["file"], err["line"], err["column"], err["path"]))
    return result


def evaluate_record_file(
    book: Rulebook,
    record_path: str | Path,
    *,
    lang: str | None = None,
    on: date | None = None,
    waivers: Iterable[Waiver] | str | Path | None = None,
) -> dict[str, Any]:
    engine = engine_for(book, lang=lang, waivers=waivers, on=on)
    items = list(iter_records([record_path], engine.registry))
    result = engine.run(items)
    if result["errors"]:
        err = result["errors"][0]
        raise UserError(err["message"], Location(err["file"], err["line"], err["column"], err["path"]))
    if len(result["records"]) != 1:
        raise UserError(f"expected exactly one record, found {len(result['records'])}",
                        Location(str(record_path)))
    return result


__all__ = [
    "RulebookLoader", "engine_for", "evaluate_record_data", "evaluate_record_file", "load_record",
    "load_rulebook", "load_waivers", "rulebook_from_merged",
]
