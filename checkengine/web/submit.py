"""A filled checklist submitted: read and checked, made into a record, evaluated by the engine, and
kept - the submission, the record's run in the archive (so reports and diffs see it like any
archived record) and the audit-log entry in one transaction. A resend with the same device-made
id gives back the first submission, never a second; a new one is taken only while the inspection
is open, or sent back by its site manager for correction (:mod:`checkengine.web.review`)."""

from __future__ import annotations

import contextlib
import threading
from datetime import datetime
from typing import Any, Collection, Iterator, Mapping

from checkengine.archive.rows import encode_record
from checkengine.archive.store import Store
from checkengine.archive.workspace import Inspection, Submission, User
from checkengine.errors import Location, UserError
from checkengine.i18n import pick
from checkengine.records import RecordError, check_record
from checkengine.rulebook.model import Rulebook
from checkengine.web.checklist import Filled, Screen, read_form
from checkengine.web.evaluation import DATA_LIMIT, data_rule_list, data_rules, evaluate, explain, rule_kinds
from checkengine.web.photos import MAX_PER_ITEM, Photo, PhotoRefused, accept
from checkengine.web.review import state

Problems = dict[str, tuple[str, dict[str, Any]]]
_SQLITE_WRITES = threading.Lock()


@contextlib.contextmanager
def writing(store: Store) -> Iterator[Store]:
    """*store*'s write transaction; on SQLite, one writer of this server at a time. SQLite's own
    lock is polled (a waiting writer sleeps and retries), so under many auditors at once some
    waited ten times the median; queued on a lock here they come in turn (benchmarks/bench_serve.py).
    PostgreSQL locks rows: its writers are not queued."""
    if store.dialect != "sqlite":
        with store.writing():
            yield store
        return
    with _SQLITE_WRITES, store.writing():
        yield store


def make_record(inspection: Inspection, user: User, site: Mapping[str, Any], when: datetime,
                filled: Filled) -> dict[str, Any]:
    record: dict[str, Any] = {
        "checkengine": 1,
        "kind": inspection.kind,
        "id": f"WS-{inspection.id}",
        "timestamp": when.isoformat(),
        "site": dict(site),
        "inspector": {"id": user.username, "name": user.name, "role": user.role},
        "subject": dict(inspection.subject),
        "observations": filled.observations,
        "answers": filled.answers,
    }
    if filled.corrective_actions:
        record["corrective_actions"] = filled.corrective_actions
    return record


def located_rules(book: Rulebook) -> frozenset[str]:
    """The rules whose photos keep their GPS position (``evidence: {photo_location: true}``)."""
    return frozenset(str(r.get("id")) for s in book.merged.get("sections", []) for r in s.get("rules", [])
                     if (r.get("evidence") or {}).get("photo_location"))


def take_photos(store: Store, inspection: Inspection, user: User, uploads: list[tuple[str, str, bytes]],
                kept: Mapping[str, list[str]], address: str | None, *,
                keep_location: Collection[str] = ()) -> tuple[dict[str, list[str]], Problems]:
    """Accept the photos sent for each item (rule, file name, bytes) and keep them by their hash,
    linked to the inspection, even if the submission is then refused (nothing sent is lost).
    *kept* are photos sent before for this inspection (checked to be). The photos of the rules in
    *keep_location* keep their GPS position; every other photo loses it. Returns the photos of each
    item, and the problems of the files refused (by item)."""
    known = store.photos_of(inspection.id)
    photos = {rule: [d for d in digests if d in known.get(rule, [])] for rule, digests in kept.items()}
    problems: Problems = {}
    accepted: list[tuple[str, Photo]] = []
    for rule, name, raw in uploads:
        try:
            accepted.append((rule, accept(raw, keep_location=rule in keep_location)))
        except PhotoRefused as refused:
            problems.setdefault(rule, (refused.key, {"name": name[:80], **refused.values}))
    with writing(store):
        for rule, photo in accepted:
            if len(photos.setdefault(rule, [])) >= MAX_PER_ITEM:
                problems.setdefault(rule, ("photo_too_many", {"limit": MAX_PER_ITEM}))
                continue
            store.add_photo(digest=photo.digest, media_type=photo.media_type, width=photo.width, height=photo.height,
                            data=photo.data)
            store.link_photo(inspection=inspection.id, rule=rule, digest=photo.digest, user=user.id)
            if photo.digest not in photos[rule]:
                photos[rule].append(photo.digest)
        if accepted or problems:
            store.log("photos sent", user=user, address=address, target=f"inspection {inspection.id}",
                      detail={"kept": [p.digest for _, p in accepted], "refused": {r: v[0] for r, v in problems.items()}})
    return photos, problems


def judge_data_rules(store: Store, book: Rulebook, inspection: Inspection, when: datetime,
                     lang: str) -> list[dict[str, Any]]:
    """The rulebook's data rules in force on the visit's day, judged over what the store holds for
    the visit's site and month."""
    rules = data_rule_list(book, inspection.kind, when.date())
    kinds = sorted({k for r in rules for k in rule_kinds(r)})
    month = when.date().isoformat()[:7]
    archived = store.archived_records(site=inspection.site, month=month, kinds=kinds, limit=DATA_LIMIT)
    return data_rules(book, inspection.kind, inspection.site, month, archived, lang, on=when.date())


def submit(store: Store, book: Rulebook, inspection: Inspection, user: User, screens: list[Screen],
           fields: Mapping[str, str], *, device_id: str, lang: str, site: Mapping[str, Any], when: datetime,
           address: str | None, photos: Mapping[str, list[str]] | None = None,
           photo_problems: Problems | None = None) -> Submission | Filled:
    """The kept submission, or the filled form with its problems (nothing kept but a log entry)."""
    earlier = store.submission_by_device_id(device_id)
    if earlier is not None and earlier.inspection == inspection.id:
        return earlier  # a resend: the first one stands
    filled = read_form(screens, fields, photos)
    filled.photos = dict(photos or {})
    for rule, problem in (photo_problems or {}).items():
        filled.problems[rule] = problem  # a refused file is told first: it is what the auditor just did
    if filled.problems:
        with writing(store):
            store.log("submission refused", user=user, address=address, target=f"inspection {inspection.id}",
                      detail={"problems": {k: v[0] for k, v in filled.problems.items()}})
        return filled
    record = make_record(inspection, user, site, when, filled)
    result = evaluate(book, record, lang)
    result["data_rules"] = judge_data_rules(store, book, inspection, when, lang)
    checked = check_record(record, Location("(submitted)", 1, 1))
    if isinstance(checked, RecordError):  # evaluate() refused it already; kept for the type checker
        raise UserError(checked.message, checked.location)
    rulebook_row = store.add_rulebook(book.id, book.version, book.digest, book.merged)
    with writing(store):
        before = store.submissions_of(inspection.id)
        if before and state(store, inspection.id).status != "sent_back":
            # Submitted meanwhile (another tab or device), or not sent back for correction: the
            # latest one stands.
            return before[-1]
        run = store.begin_run(rulebook_row, language=lang, as_of=None, inputs=[f"checkengine serve: inspection "
                                                                              f"{inspection.id}"], waivers=[])
        store.add_records(run, book.id, [encode_record(1, result["records"][0], checked)])
        groups = len(result.get("groups") or [])
        store.end_run(run, status="complete", records=1, errors=0, groups=groups)
        # The failed items open their corrective actions (a passing one verifies a done action), as
        # `checkengine archive add` does for an archived run: the same code, in this transaction.
        from checkengine.actions.tracker import actions_of_run

        actions = actions_of_run(store, run)
        sid = store.add_submission(inspection=inspection.id, device_id=device_id, user=user.id, language=lang,
                                   record=record, not_observed=filled.not_observed, result=result, run=run)
        entry = result["records"][0]
        store.log("inspection submitted", user=user, address=address, target=f"inspection {inspection.id}",
                  detail={"submission": sid, "run": run, "score": (entry.get("score") or {}).get("score")})
        if actions.opened or actions.reopened or actions.failed_again or actions.verified:
            store.log("corrective actions from a submission", user=user, address=address,
                      target=f"inspection {inspection.id}", detail={"run": run, "opened": actions.opened,
                                                                     "reopened": actions.reopened,
                                                                     "failed_again": actions.failed_again,
                                                                     "verified": actions.verified})
    found = store.submission_by_device_id(device_id)
    assert found is not None
    return found


def in_words(outcome: Mapping[str, Any], rule: Mapping[str, Any], record: Mapping[str, Any], lang: str,
             source_lang: str) -> str:
    """An outcome said as the signed form says it, in *lang*: what was observed against what was
    expected, why a rule did not apply, why it needs review - never CEL or a field name."""
    from checkengine.pdf.form_words import Words
    from checkengine.pdf.labels import Formatter

    fmt = Formatter(lang)
    words = Words(rule, fmt, lang, source_lang)
    verdict = outcome.get("outcome")
    if verdict == "not_applicable":
        return words.not_applicable(outcome, record)
    if verdict in ("needs_review", "error") or (outcome.get("observed") is None and outcome.get("expected") is None):
        return words.explanation(outcome)
    return (f"{fmt.labels['observed']}: {words.value(outcome.get('observed'))} · "
            f"{fmt.labels['expected']}: {words.value(outcome.get('expected'))}")


def outcome_rows(book: Rulebook, submission: Submission, lang: str) -> list[dict[str, Any]]:
    """Each outcome of a submission with its rule's title in *lang* (the explanation is in the
    language the result was made in), then each data rule as judged from the store (``data``);
    a rule judged from data is listed there, not with the visit's outcomes."""
    rules = {r.get("id"): r for s in book.merged.get("sections", []) for r in s.get("rules", [])}
    judged = submission.result.get("data_rules") or []
    from_data = {entry["rule"] for entry in judged}
    rows = []
    for outcome in submission.result["records"][0]["outcomes"]:
        if outcome["rule"] in from_data:
            continue
        rule = rules.get(outcome["rule"], {})
        rows.append({"rule": outcome["rule"], "title": pick(rule.get("title"), lang, book.source_language),
                     "outcome": outcome["outcome"],
                     "explanation": in_words(outcome, rule, submission.record, lang, book.source_language),
                     "comment": outcome.get("comment"), "data": False,
                     "photos": [e.split(":", 1)[1] for e in outcome.get("evidence") or [] if str(e).startswith("photo:")],
                     "not_observed": outcome["rule"] in submission.not_observed})
    for entry in judged:
        rule = rules.get(entry["rule"], {})
        rows.append({"rule": entry["rule"], "title": pick(rule.get("title"), lang, book.source_language),
                     "outcome": entry["outcome"], "comment": None,
                     "explanation": explain(entry["reason"], entry["values"], entry["counts"], lang)
                     if "reason" in entry else entry["explanation"],
                     "photos": [], "not_observed": False, "data": True})
    return rows
