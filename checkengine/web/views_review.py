"""The site manager's review of a signed submission (:mod:`checkengine.web.review`): accept it and
countersign the form, or send it back to the auditor with a comment. Only a manager of the
inspection's site may (another's inspection is not found; anyone else who sees it is refused),
and every review is kept in the store and the audit log, with its countersigned form, in one
transaction."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from checkengine.archive.store import Store
from checkengine.errors import UserError
from checkengine.web.labels import Labels
from checkengine.web.views import (
    MAX_PASSWORD, _address, _language, _with_store, _ws, render, show_result, signed_in_inspection,
)

DECISIONS = ("accept", "send_back")


async def review(request: Request) -> Response:
    from checkengine.archive.review import add_review
    from checkengine.web import signing
    from checkengine.web.review import MAX_COMMENT, may_review, state
    from checkengine.web.views_forms import drawing_or_message, keep_signed_form

    found = await signed_in_inspection(request)
    if isinstance(found, Response):
        return found
    user, inspection = found
    lang = _language(request, user=user)
    if not may_review(user, inspection):
        return render(request, "message.html.j2", 403, lang=lang, user=user, message=Labels(lang).review_not_yours)
    form = await request.form(max_files=0, max_fields=8)
    decision = str(form.get("decision") or "")
    comment = str(form.get("comment") or "").strip()
    password = str(form.get("password") or "")[:MAX_PASSWORD]
    drawn = str(form.get("drawing") or "")

    book = _ws(request).library.get(inspection.rulebook)
    chosen = _language(request, book.languages, user) if "lang" in request.query_params else None

    def work(store: Store) -> tuple[int, str] | None:
        submissions = store.submissions_of(inspection.id)
        # the messages in the language the result page is shown in (the submission's, or ?lang=)
        L = Labels(chosen or (submissions[-1].language if submissions else lang))
        if decision not in DECISIONS:
            return 400, L.review_choose
        now = state(store, inspection.id)
        if now.status != "awaiting_review" or not submissions:
            return 409, L.review_nothing
        latest = submissions[-1]
        if decision == "send_back":
            if not comment:
                return 400, L.review_comment_needed
            if len(comment) > MAX_COMMENT:
                return 400, L("p_too_long", limit=MAX_COMMENT)
            with store.writing():
                if state(store, inspection.id).status != "awaiting_review":
                    return 409, L.review_nothing  # reviewed meanwhile: the first review stands
                rid = add_review(store, inspection=inspection.id, submission=latest.id, decision="sent_back",
                                 comment=comment, form=None, user=user.id)
                store.log("inspection sent back", user=user, address=_address(request),
                          target=f"inspection {inspection.id}",
                          detail={"review": rid, "submission": latest.id, "comment": comment})
            return None
        key = store.signing_key(user.id)
        if key is None:
            return 400, L.key_missing
        drawing = drawing_or_message(drawn, L)
        if isinstance(drawing, str):
            return 400, drawing
        first = store.signed_form_pdf(now.forms["inspector"]["id"])
        assert first is not None
        pdf, digest = signing.countersign(first[1], key[0], password, drawing, tsa=_ws(request).settings.tsa)
        with store.writing():
            if state(store, inspection.id).status != "awaiting_review":
                return 409, L.review_nothing
            fid = keep_signed_form(store, request, user, inspection, latest, role="manager", pdf=pdf, digest=digest,
                                   drawn=drawing is not None)
            rid = add_review(store, inspection=inspection.id, submission=latest.id, decision="accepted",
                             comment=comment or None, form=fid, user=user.id)
            store.log("inspection accepted", user=user, address=_address(request), target=f"inspection {inspection.id}",
                      detail={"review": rid, "submission": latest.id})
        return None

    try:
        problem = await run_in_threadpool(lambda: _with_store(request, work))
    except UserError as exc:
        problem = (400, str(exc))
    if problem is not None:
        status, message = problem
        return await show_result(request, user, inspection, status=status, review_error=message[:500],
                                 review_comment=comment if decision == "send_back" else "")
    return RedirectResponse(f"/inspections/{inspection.id}/result", status_code=303)
