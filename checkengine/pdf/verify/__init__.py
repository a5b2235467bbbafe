"""Verifying a signed form: its signatures, its structure, what it shows, and its result.

A form is valid when every check of :func:`verify_pdf` passes:

* both roles signed (the inspector, then the site manager), each in its own field, with two
  different certificates, each trusted for its role (``--trust`` for any role,
  ``--trust-inspector``/``--trust-manager`` for one), within its validity period and with a
  key usage that allows signing; each signature intact and valid (pyHanko);
* the file's structure as a signer writes it (:mod:`.structure`): no wrapped or re-declared
  signature, no bytes after the end, and after the inspector's signature nothing but the
  manager's signature (a strict pyHanko difference analysis);
* nothing that checkengine's renderer never makes (:mod:`.features`), the printed rule rows and
  score equal to the embedded result, and each stamp showing its own signer (:mod:`.printed`);
* the embedded record, re-evaluated against the embedded rulebook, gives the embedded result.

The re-evaluation needs the engine; it is passed in as *reevaluate* so that this package stays
independent of it.
"""

from __future__ import annotations

import io
import logging
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Mapping

from checkengine.errors import UserError
from checkengine.pdf.verify.evaluation import Reevaluate, check_evaluation, compare_results, embedded_data
from checkengine.pdf.verify.report import Check, EvaluationReport, SignatureReport, VerifyReport, format_text

ROLES = ("inspector", "manager")
ROLE_NAMES = {"inspector": "the inspector", "manager": "the site manager"}

__all__ = ["Check", "EvaluationReport", "Reevaluate", "SignatureReport", "VerifyReport", "ROLES",
           "compare_results", "check_evaluation", "format_text", "verify_pdf"]


def _roots(paths: list[Path | str]) -> list[Any]:
    from pyhanko.keys.internal import translate_pyca_cryptography_cert_to_asn1

    from checkengine.pdf.keys import load_certificates

    return [translate_pyca_cryptography_cert_to_asn1(c) for p in paths for c in load_certificates(p)]


def _looks_signed(data: bytes) -> bool:
    return b"/ByteRange" in data or b"/Sig" in data


def verify_pdf(
    path: Path | str,
    trust: list[Path | str],
    *,
    reevaluate: Reevaluate | None = None,
    now: datetime | None = None,
    trust_roles: Mapping[str, list[Path | str]] | None = None,
    allow_missing_countersignature: bool = False,
    required: tuple[str, ...] | None = None,
) -> VerifyReport:
    """Check the signed form at *path*: see the module docstring for every check.

    *trust* certificates are trusted for any role, *trust_roles* maps a role (field name) to
    certificates trusted for that role only. *required* are the roles that must have signed
    (default both; with *allow_missing_countersignature* the inspector only).
    """
    from pyhanko.pdf_utils.reader import PdfFileReader

    from checkengine.pdf.output import read_pdf_or_damage

    # pyHanko logs each validation failure with a traceback; the report carries the reason.
    logging.getLogger("pyhanko").addHandler(logging.NullHandler())
    logging.getLogger("pyhanko").propagate = False
    source = Path(path)
    # A file that is not a PDF, or over a limit (a compression bomb), is unusable input (exit 2);
    # a PDF that cannot be parsed is a damaged form: a finding (INVALID, exit 1).
    data, damage = read_pdf_or_damage(source)
    any_role = _roots(trust)
    by_role = {role: _roots(list(paths)) for role, paths in (trust_roles or {}).items()}
    if not any_role and not any(by_role.values()):
        raise UserError("give at least one trusted certificate with --trust CERT.pem (or --trust-inspector, --trust-manager)")
    moment = now or datetime.now(timezone.utc)
    report = VerifyReport(str(source), [], EvaluationReport(checked=False),
                          allow_missing_countersignature=allow_missing_countersignature)
    if damage is not None:  # not handed to pyHanko: its streams could not all be checked against the limit
        report.check("file").problems.append(_damaged(damage.reason))
        return report
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        embedded, malformed = _signatures(reader)
    except Exception as exc:  # noqa: BLE001 - a damaged form is a finding, not unusable input
        report.check("file").problems.append(_damaged(f"{type(exc).__name__}: {exc}"))
        return report
    try:
        files = embedded_data(data)
        report.embedded_result = files["result"]
    except UserError as exc:
        if not embedded and not _looks_signed(data):
            raise
        files = None
        report.check("embedded result").problems.append(f"the form's embedded data cannot be read: {exc}")
    from checkengine.pdf.verify.printed import Extraction

    shown = Extraction(data) if files is not None else None  # poppler reads the pages meanwhile
    try:
        report.check("signature fields").problems.extend(malformed)
        _check_signatures(report, reader, data, embedded, any_role, by_role, moment,
                          required or (("inspector",) if allow_missing_countersignature else ROLES))
        if files is not None and shown is not None:
            _check_what_is_shown(report, reader, data, embedded, files, shown)
            report.evaluation = check_evaluation(files, reevaluate)
            report.check("re-evaluation").problems.extend(report.evaluation.problems)
    finally:
        if shown is not None:
            shown.close()
    return report


def _damaged(reason: str) -> str:
    return f"the form is damaged or cut short: it cannot be read as a PDF ({reason})"


def _signatures(reader: Any) -> tuple[list[Any], list[str]]:
    """The filled signature fields as pyHanko EmbeddedPdfSignature, in signing order, and a
    problem for each one that cannot be read (pyHanko's own collection stops at the first, or
    silently skips a signature of an unknown kind)."""
    from pyhanko.sign.fields import enumerate_sig_fields
    from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature

    found, problems = [], []
    for name, value, field in enumerate_sig_fields(reader, filled_status=True):
        sub_filter = value.get_object().get("/SubFilter") if hasattr(value, "get_object") else None
        if sub_filter != "/ETSI.CAdES.detached":
            problems.append(f"the signature in the field '{name}' is not of the kind checkengine makes (PAdES, "
                            f"got {sub_filter}); it cannot be checked")
            continue
        try:
            found.append(EmbeddedPdfSignature(reader, field, name))
        except Exception as exc:  # noqa: BLE001 - a forged signature dictionary is a finding
            problems.append(f"the signature in the field '{name}' is malformed and cannot be checked "
                            f"({type(exc).__name__}: {exc}): a forged or broken signature")
    found.sort(key=lambda sig: sig.signed_revision)
    return found, problems


def _check_signatures(report: VerifyReport, reader: Any, data: bytes, embedded: list[Any], any_role: list[Any],
                      by_role: dict[str, list[Any]], moment: datetime, required: tuple[str, ...]) -> None:
    from checkengine.pdf.verify import signatures, structure

    fields = report.check("signature fields")
    by_field = {sig.field_name: sig for sig in embedded}
    if not embedded:
        fields.problems.append("the form has no signatures")
    for role in ROLES:
        if role not in by_field and role in required:
            if role == "manager":
                fields.problems.append("the site manager has not countersigned the form (give "
                                       "--allow-missing-countersignature to accept a form that is not countersigned yet)")
            else:
                fields.problems.append(f"{ROLE_NAMES[role]} has not signed the form")
    for name in by_field:
        if name not in ROLES:
            fields.problems.append(f"the form has a signature in an extra field '{name}'; a form has only the "
                                   "inspector's and the site manager's")
    report.countersigned = "manager" in by_field
    found, file_problems = structure.revisions(reader, data)
    report.check("file end").problems.extend(file_problems)
    signed_revisions = {sig.signed_revision for sig in embedded}
    total = reader.xrefs.total_revisions
    for sig in embedded:
        name = sig.field_name
        later = tuple(ROLES[ROLES.index(name) + 1:]) if name in ROLES else ()
        entry = signatures.check_signature(sig, any_role, by_role.get(name, []), moment=moment,
                                           locked=name == ROLES[0], later_fields=later)
        entry.problems.extend(_role_problems(sig, name, any_role, by_role))
        entry.problems.extend(structure.signature_problems(sig, data, reader, found))
        unsigned_later = [r for r in range(sig.signed_revision + 1, total) if r not in signed_revisions]
        if unsigned_later:  # says it more plainly than the difference analysis
            entry.problems[:] = [p for p in entry.problems if not p.startswith(signatures.CHANGED_AFTER)]
            entry.problems.append("the document was changed after this signature by an update that is not a later "
                                  f"signature (revision {unsigned_later[0] + 1} of {total})")
        report.signatures.append(entry)
        report.check(f"signature '{name}'").problems.extend(
            f"signature '{name}' ({entry.signer}): {p}" for p in dict.fromkeys(entry.problems))
    order = report.check("signature order")
    inspector, manager = by_field.get("inspector"), by_field.get("manager")
    if inspector is not None and manager is not None:
        first, second = (structure.byte_range_end(s.sig_object) for s in (inspector, manager))
        if first is None or second is None or not first < second:
            order.problems.append("the site manager's signature does not come after the inspector's: the "
                                  "countersignature must sign the inspector's signed form")
        a, b = (next(r for r in report.signatures if r.field == f) for f in ("inspector", "manager"))
        two = report.check("two signers")
        if a.fingerprint == b.fingerprint or _same_key(inspector, manager):
            two.problems.append(
                f"the inspector and the site manager signed with the same key ({a.signer}): a form needs two "
                "different people")


def _same_key(one: Any, other: Any) -> bool:
    try:
        return bool(one.signer_cert.public_key.dump() == other.signer_cert.public_key.dump())
    except Exception:  # noqa: BLE001 - a signature without a readable certificate is reported elsewhere
        return False


def _role_problems(sig: Any, name: str, any_role: list[Any], by_role: dict[str, list[Any]]) -> list[str]:
    """When a role has its own certificates and --trust gives none, the signer must be one of them."""
    if name not in by_role or any_role:
        return []
    own = {c.dump() for c in by_role[name]}
    try:
        cert = sig.signer_cert
    except Exception:  # noqa: BLE001 - reported by the signature check
        return []
    if cert.dump() in own:
        return []
    issuers = {c.subject.dump() for c in by_role[name]}
    if cert.issuer.dump() in issuers:
        return []  # issued by a certificate trusted for this role: the chain check decides
    return [f"the signer ({_cn(cert)}) is not the one trusted for this role (--trust-{name})"]


def _cn(cert: Any) -> str:
    return str(cert.subject.native.get("common_name", ""))


def _photos(files: dict[str, Any]) -> int:
    """How many evidence photos the renderer prints for the embedded result: those of failed
    rules, the record's answers first, each path once per rule (as ``form_view._evidence_refs``,
    which is not imported: it would load WeasyPrint)."""
    records = files["result"].get("records") or []
    outcomes = (records[0].get("outcomes") or []) if len(records) == 1 and isinstance(records[0], dict) else []
    answers = files["record"].get("answers") or {}
    total = 0
    for outcome in outcomes:
        if not isinstance(outcome, dict) or outcome.get("outcome") != "fail":
            continue
        answer = answers.get(outcome.get("rule")) if isinstance(answers, dict) else None
        given = (answer.get("evidence") or []) if isinstance(answer, dict) else []
        paths = [_photo_path(item) for item in given]
        paths += [p for p in dict.fromkeys(_photo_path(item) for item in outcome.get("evidence") or []) if p not in paths]
        total += len(paths)
    return total


def _photo_path(item: Any) -> str:
    return str(item.get("path") or item.get("file") if isinstance(item, dict) else item)


def _check_what_is_shown(report: VerifyReport, reader: Any, data: bytes, embedded: list[Any],
                         files: dict[str, Any], shown_now: Any) -> None:
    from checkengine.pdf.sign import _fields
    from checkengine.pdf.verify import features, printed, structure

    shown = report.check("nothing but what the renderer makes")
    try:
        shown.problems.extend(features.renderer_problems(reader))
        shown.problems.extend(features.picture_problems(reader, _photos(files)))
    except Exception as exc:  # noqa: BLE001 - hostile structure
        shown.problems.append(f"the form's pages cannot be read ({type(exc).__name__}: {exc})")
    rows = report.check("printed rows")
    result, book = files["result"], files["book"]
    merged = book["merged"] if isinstance(book.get("merged"), dict) else book
    lang = printed.language(result)
    first = min(embedded, key=lambda s: s.signed_revision, default=None)
    end = structure.byte_range_end(first.sig_object) if first is not None else None
    signed = data[:end] if end and end <= len(data) else data
    # When every signature and the file's end are good, the difference analysis has proved that
    # the pages are the signed revision's: one extraction (of the whole file, stamps included)
    # serves both. Otherwise the signed revision and what a reader shows now are read apart.
    proven = bool(report.signatures) and all(s.ok for s in report.signatures) and report.check("file end").passed
    try:
        final = shown_now.pages()
        pages = final if proven or len(signed) == len(data) else printed.extract(signed)
        problems, rows.detail = printed.row_problems(pages, result, merged, lang)
        if final is not pages:  # what a reader shows now, if a later revision changed it
            problems += [p for p in printed.row_problems(final, result, merged, lang)[0] if p not in problems]
        rows.problems.extend(problems)
        signers = {r.field: (r.signer, r.fingerprint) for r in report.signatures if r.fingerprint}
        infos = _fields(reader)
        report.check("signature stamps").problems.extend(printed.stamp_problems(final, infos, signers, lang))
    except UserError:
        raise
    except Exception as exc:  # noqa: BLE001 - hostile structure
        rows.problems.append(f"the printed rows cannot be read back ({type(exc).__name__}: {exc})")
