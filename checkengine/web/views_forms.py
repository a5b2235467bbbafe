"""The workspace's pages about signed forms: the signing key on the profile, signing and
countersigning an inspection's form, downloading it, and the public verify page."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from checkengine.archive.store import Store
from checkengine.archive.workspace import Inspection, Submission, User
from checkengine.errors import UserError
from checkengine.web.auth import may_see, may_submit
from checkengine.web.labels import Labels
from checkengine.web.views import (
    MAX_PASSWORD, _address, _in_store, _language, _to_login, _with_store, _ws, current_user, render,
    signed_in_inspection,
)


async def profile(request: Request) -> Response:
    """The user's signing key: a PKCS#12 store uploaded once (its password checked, not kept)."""
    from checkengine.web.signing import MAX_KEY_BYTES, key_subject

    user = await current_user(request)
    if user is None:
        return _to_login()
    lang = _language(request, user=user)
    key = await _in_store(request, lambda s: s.signing_key(user.id))
    error = None
    if request.method == "POST":
        form = await request.form(max_files=1, max_fields=5)
        upload, password = form.get("p12"), str(form.get("password") or "")[:MAX_PASSWORD]
        try:
            if isinstance(upload, str) or upload is None or not upload.size:
                raise UserError(Labels(lang).key_choose)
            data = await upload.read(MAX_KEY_BYTES + 1)
            subject = await run_in_threadpool(key_subject, data, password)
        except UserError as exc:
            error = str(exc)
        else:
            def keep(store: Store) -> None:
                with store.writing():
                    store.add_signing_key(user=user.id, p12=data, subject=subject)
                    store.log("signing key added", user=user, address=_address(request), detail={"subject": subject})

            await _in_store(request, keep)
            return RedirectResponse("/profile", status_code=303)
    return render(request, "profile.html.j2", 400 if error else 200, lang=lang, user=user,
                  subject=key[1] if key else None, error=error)


def keep_signed_form(store: Store, request: Request, user: User, inspection: Inspection, submission: Submission, *,
                     role: str, pdf: bytes, digest: str, drawn: bool) -> int:
    """A form just signed as *role*: stored, tied to the submission it was made from, and written
    in the audit log (inside the caller's write transaction); its id."""
    from checkengine.archive.review import link_form

    fid = store.add_signed_form(inspection=inspection.id, role=role, pdf=pdf, sha256=digest, user=user.id)
    link_form(store, form=fid, submission=submission.id)
    store.log(f"form signed ({role})", user=user, address=_address(request), target=f"inspection {inspection.id}",
              detail={"form": fid, "sha256": digest, "submission": submission.id, "drawn": drawn})
    return fid


async def sign(request: Request) -> Response:
    """Sign the inspection's form as its auditor: the audit form made from the latest submission,
    with the signature drawn on the pad when there is one. The password opens the key for this
    signing only. (The site manager countersigns when accepting it: :mod:`views_review`.)"""
    from checkengine.web import signing
    from checkengine.web.review import state

    found = await signed_in_inspection(request)
    if isinstance(found, Response):
        return found
    user, inspection = found
    form = await request.form(max_files=0, max_fields=6)
    password = str(form.get("password") or "")[:MAX_PASSWORD]
    drawn = str(form.get("drawing") or "")
    book = _ws(request).library.get(inspection.rulebook)

    def work(store: Store) -> str | None:
        submissions = store.submissions_of(inspection.id)
        now = state(store, inspection.id)
        key = store.signing_key(user.id)
        lang = submissions[-1].language if submissions else "en"
        L = Labels(lang)
        if not submissions:
            return L.sign_not_yet
        if not may_submit(user, inspection) or now.status != "to_sign":
            return L.sign_not_yours
        if key is None:
            return L.key_missing
        drawing = drawing_or_message(drawn, L)
        if isinstance(drawing, str):
            return drawing
        latest = submissions[-1]
        photos = {d: found[1] for d in {e.split(":", 1)[1] for a in latest.record.get("answers", {}).values()
                                         for e in a.get("evidence", []) if e.startswith("photo:")}
                  if (found := store.photo(d)) is not None}
        pdf, digest = signing.sign_as_inspector(book, latest, photos, key[0], password, drawing,
                                                tsa=_ws(request).settings.tsa)
        with store.writing():
            if state(store, inspection.id).status != "to_sign":
                return L.sign_not_yours  # signed meanwhile (another tab): the first signature stands
            keep_signed_form(store, request, user, inspection, latest, role="inspector", pdf=pdf, digest=digest,
                             drawn=drawing is not None)
        return None

    try:
        problem = await run_in_threadpool(lambda: _with_store(request, work))
    except UserError as exc:
        problem = str(exc)
    target = f"/inspections/{inspection.id}/result"
    if problem:
        request.session["sign_error"] = problem[:500]
    return RedirectResponse(target, status_code=303)


def drawing_or_message(drawn: str, L: Labels) -> bytes | None | str:
    """The drawn signature of a signing form's ``drawing`` field (None: not drawn), or the message
    saying why it is refused, in the page's language."""
    from checkengine.pdf.sign_drawing import DrawingRefused
    from checkengine.web.signing import drawing_from_field

    try:
        return drawing_from_field(drawn)
    except DrawingRefused as refused:
        return L(refused.key, **refused.values)


async def signed_form(request: Request) -> Response:
    """A signed form (PDF), to a user who may see its inspection."""
    user = await current_user(request)
    if user is None:
        return _to_login()
    wanted = int(request.path_params["form"])
    found = await _in_store(request, lambda s: s.signed_form_pdf(wanted))
    if found is not None:
        inspection = await _in_store(request, lambda s: s.inspection(found[0]))
        if inspection is not None and may_see(user, inspection):
            return Response(found[1], media_type="application/pdf", headers={
                "content-disposition": f'attachment; filename="inspection-{inspection.id}-form-{wanted}.pdf"'})
    return Response("not found", status_code=404, media_type="text/plain")


async def verify(request: Request) -> Response:
    """The public verify page (no sign-in): upload a signed form, read ``verify``'s verdict."""
    from checkengine.web.verifying import MAX_FORM_BYTES, verify_upload

    user = await current_user(request)
    lang = _language(request, user=user)
    L = Labels(lang)
    trust = _ws(request).settings.trust
    if request.method == "GET":
        return render(request, "verify.html.j2", lang=lang, user=user, result=None, error=None, trusted=bool(trust))
    address = _address(request) or "unknown"
    if not _ws(request).verify_limiter.allow(address, "verify"):
        return render(request, "verify.html.j2", 429, lang=lang, user=user, result=None, error=L.too_many,
                      trusted=bool(trust))
    form = await request.form(max_files=1, max_fields=5)
    upload = form.get("form")
    if isinstance(upload, str) or upload is None or not upload.size:
        return render(request, "verify.html.j2", 400, lang=lang, user=user, result=None, error=L.verify_choose,
                      trusted=bool(trust))
    data = await upload.read(MAX_FORM_BYTES + 1)
    allow = form.get("allow_missing_countersignature") == "on"
    try:
        found = await run_in_threadpool(verify_upload, data, list(trust), allow_missing_countersignature=allow)
    except UserError as exc:
        return render(request, "verify.html.j2", 400, lang=lang, user=user, result=None, error=str(exc),
                      trusted=bool(trust))
    return render(request, "verify.html.j2", 200, lang=lang, user=user, result=found, error=None, trusted=True)
