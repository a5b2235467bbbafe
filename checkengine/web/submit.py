"""A filled checklist submitted: read and checked, made into a record, evaluated by the engine, and
kept - the submission, the record's run in the archive (so reports and diffs see it like any
archived record) and the audit-log entry in one transaction. A resend with the same device-made
id gives back the first submission, never a second; a new one is taken only while the inspection
is open, or sent back by its site manager for correction (:mod:`checkengine.web.review`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Mapping

from checkengine.archive.rows import encode_record
from checkengine.archive.store import Store
from checkengine.archive.workspace import Inspection, Submission, User
from checkengine.errors import Location, UserError
from checkengine.i18n import pick
from checkengine.records import RecordError, check_record
from checkengine.rulebook.model import Rulebook
from checkengine.web.checklist import Filled, Screen, read_form
from checkengine.web.evaluation import evaluate
from checkengine.web.photos import MAX_PER_ITEM, Photo, PhotoRefused, accept
from checkengine.web.review import state

Problems = dict[str, tuple[str, dict[str, Any]]]


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


def take_photos(store: Store, inspection: Inspection, user: User, uploads: list[tuple[str, str, bytes]],
                kept: Mapping[str, list[str]], address: str | None) -> tuple[dict[str, list[str]], Problems]:
    """Accept the photos sent for each item (rule, file name, bytes) and keep them by their hash,
    linked to the inspection, even if the submission is then refused (nothing sent is lost).
    *kept* are photos sent before for this inspection (checked to be). Returns the photos of each
    item, and the problems of the files refused (by item)."""
    known = store.photos_of(inspection.id)
    photos = {rule: [d for d in digests if d in known.get(rule, [])] for rule, digests in kept.items()}
    problems: Problems = {}
    accepted: list[tuple[str, Photo]] = []
    for rule, name, raw in uploads:
        try:
            accepted.append((rule, accept(raw)))
        except PhotoRefused as refused:
            problems.setdefault(rule, (refused.key, {"name": name[:80], **refused.values}))
    with store.writing():
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
        with store.writing():
            store.log("submission refused", user=user, address=address, target=f"inspection {inspection.id}",
                      detail={"problems": {k: v[0] for k, v in filled.problems.items()}})
        return filled
    record = make_record(inspection, user, site, when, filled)
    result = evaluate(book, record, lang)
    checked = check_record(record, Location("(submitted)", 1, 1))
    if isinstance(checked, RecordError):  # evaluate() refused it already; kept for the type checker
        raise UserError(checked.message, checked.location)
    rulebook_row = store.add_rulebook(book.id, book.version, book.digest, book.merged)
    with store.writing():
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


def outcome_rows(book: Rulebook, submission: Submission, lang: str) -> list[dict[str, Any]]:
    """Each outcome of a submission with its rule's title in *lang* (the explanation is in the
    language the result was made in)."""
    rules = {r.get("id"): r for s in book.merged.get("sections", []) for r in s.get("rules", [])}
    rows = []
    for outcome in submission.result["records"][0]["outcomes"]:
        rule = rules.get(outcome["rule"], {})
        rows.append({"rule": outcome["rule"], "title": pick(rule.get("title"), lang, book.source_language),
                     "outcome": outcome["outcome"], "explanation": outcome.get("explanation", ""),
                     "comment": outcome.get("comment"),
                     "photos": [e.split(":", 1)[1] for e in outcome.get("evidence") or [] if str(e).startswith("photo:")],
                     "not_observed": outcome["rule"] in submission.not_observed})
    return rows
