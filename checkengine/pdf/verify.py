"""Verifying a signed form: every signature, and the printed result against the rules.

A form is valid when

* it has at least one signature, and each one is intact (the signed bytes hash to the signed
  digest), cryptographically valid, and made with a certificate that chains to one given with
  ``--trust`` and is within its validity period;
* every signature covers the whole document except for later revisions that only add
  later signatures (a countersignature is fine; any other change after signing is not);
* the embedded rulebook's digest is the one the embedded result names, and re-evaluating the
  embedded record against the embedded rulebook gives the embedded (printed) result.

The re-evaluation needs the engine; it is passed in as *reevaluate* so that this module stays
independent of it.
"""

from __future__ import annotations

import dataclasses
import io
import logging
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

from checkengine.errors import UserError
from checkengine.pdf import attachments as att

Reevaluate = Callable[[dict[str, Any], dict[str, Any], dict[str, Any], Any], dict[str, Any]]

ALLOWED_LATER_CHANGES = ("NONE", "LTA_UPDATES", "FORM_FILLING")


@dataclass
class SignatureReport:
    field: str
    signer: str
    subject: str
    signing_time: str | None
    timestamp_time: str | None  # the time in the signature's RFC 3161 timestamp token, if any
    timestamp_server: str | None  # the common name of the server that made the token
    intact: bool
    valid: bool
    trusted: bool
    coverage: str
    modification: str | None
    revision: int
    # dataclasses.field spelled out: in this class body, `field` is the attribute above.
    problems: list[str] = dataclasses.field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class EvaluationReport:
    checked: bool
    rulebook: str = ""
    digest: str = ""
    record: str = ""
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.checked and not self.problems


@dataclass
class VerifyReport:
    path: str
    signatures: list[SignatureReport]
    evaluation: EvaluationReport
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and all(s.ok for s in self.signatures) and self.evaluation.ok and bool(self.signatures)

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.path,
            "valid": self.ok,
            "problems": list(self.problems),
            "signatures": [dict(asdict(s), ok=s.ok) for s in self.signatures],
            "evaluation": dict(asdict(self.evaluation), ok=self.evaluation.ok),
        }


def _name(cert: Any) -> tuple[str, str]:
    subject = cert.subject
    cn = subject.native.get("common_name", "")
    return str(cn), subject.human_friendly


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds") if moment else None


def _dates_problem(cert: Any, at: datetime) -> str | None:
    not_after = cert["tbs_certificate"]["validity"]["not_after"].native
    not_before = cert["tbs_certificate"]["validity"]["not_before"].native
    if at > not_after:
        return f"the signer's certificate expired on {not_after:%Y-%m-%d %H:%M} UTC"
    if at < not_before:
        return f"the signer's certificate is not valid before {not_before:%Y-%m-%d %H:%M} UTC"
    return None


def _trust_problem(status: Any, cert: Any, now: datetime) -> str:
    dated = _dates_problem(cert, now)
    if dated:
        return dated
    return "the signer's certificate is not trusted: it does not chain to a certificate given with --trust"


def verify_pdf(
    path: Path | str,
    trust: list[Path | str],
    *,
    reevaluate: Reevaluate | None = None,
    now: datetime | None = None,
) -> VerifyReport:
    """Check every signature of the PDF at *path* against the *trust* certificates, and the result."""
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.settings import KeyUsageConstraints
    from pyhanko.keys.internal import translate_pyca_cryptography_cert_to_asn1
    from pyhanko_certvalidator import ValidationContext

    from checkengine.pdf.keys import load_certificates
    from checkengine.pdf.output import read_pdf

    # pyHanko logs each validation failure with a traceback; the report carries the reason.
    logging.getLogger("pyhanko").addHandler(logging.NullHandler())
    logging.getLogger("pyhanko").propagate = False
    source = Path(path)
    data = read_pdf(source)
    roots = [translate_pyca_cryptography_cert_to_asn1(c) for t in trust for c in load_certificates(t)]
    if not roots:
        raise UserError("give at least one trusted certificate with --trust CERT.pem")
    moment = now or datetime.now(timezone.utc)
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        embedded = list(reader.embedded_signatures)
        total_revisions = reader.xrefs.total_revisions
    except (PdfError, ValueError, KeyError) as exc:
        raise UserError(f"{source}: cannot read the PDF ({exc})") from None

    report = VerifyReport(str(source), [], EvaluationReport(checked=False))
    if not embedded:
        report.problems.append("the form has no signatures")
    signature_revisions = {sig.signed_revision for sig in embedded}
    usage = KeyUsageConstraints(key_usage={"digital_signature", "non_repudiation"}, match_all_key_usages=False)
    for sig in embedded:
        context = ValidationContext(
            trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail", moment=moment
        )
        cn, subject = _name(sig.signer_cert)
        try:
            status = validate_pdf_signature(sig, context, ts_validation_context=context, key_usage_settings=usage)
        except (PdfError, ValueError, KeyError) as exc:
            report.signatures.append(
                SignatureReport(sig.field_name, cn, subject, _iso(sig.self_reported_timestamp), None, None,
                                False, False, False, "unknown", None, sig.signed_revision,
                                [f"the signature cannot be validated ({exc})"])
            )
            continue
        level = status.modification_level
        token = status.timestamp_validity
        entry = SignatureReport(
            field=sig.field_name,
            signer=cn,
            subject=subject,
            signing_time=_iso(status.signer_reported_dt),
            timestamp_time=_iso(token.timestamp) if token is not None else None,
            timestamp_server=_name(token.signing_cert)[0] if token is not None else None,
            intact=bool(status.intact),
            valid=bool(status.valid),
            trusted=bool(status.trusted),
            coverage=status.coverage.name if status.coverage is not None else "unknown",
            modification=level.name if level is not None else None,
            revision=sig.signed_revision,
        )
        if not status.intact:
            entry.problems.append("the signed bytes were changed after signing (the digest does not match)")
        elif not status.valid:
            entry.problems.append("the signature value does not match the signed data and certificate")
        if token is not None and not (token.intact and token.valid):
            entry.problems.append("the signature's timestamp token is broken: it does not match the signature or its own signature")
        elif token is not None and not token.trusted:
            entry.problems.append(
                f"the signature's timestamp is not trusted: the timestamp server's certificate "
                f"({entry.timestamp_server}) does not chain to a certificate given with --trust"
            )
        if status.intact and status.valid and not status.trusted:
            entry.problems.append(_trust_problem(status, sig.signer_cert, moment))
        elif status.intact and status.valid:
            # A trust anchor that is the signer's own certificate is not date-checked by the
            # path validator: check it here, at the timestamp's time when there is one.
            ts = status.timestamp_validity
            at = ts.timestamp if ts is not None and ts.intact and ts.valid and ts.trusted else moment
            dated = _dates_problem(sig.signer_cert, at)
            if dated:
                entry.problems.append(dated)
        later = [r for r in range(sig.signed_revision + 1, total_revisions)]
        unsigned_later = [r for r in later if r not in signature_revisions]
        if unsigned_later:
            entry.problems.append(
                "the document was changed after this signature by an update that is not a later "
                f"signature (revision {unsigned_later[0] + 1} of {total_revisions})"
            )
        elif level is None or level.name not in ALLOWED_LATER_CHANGES:
            entry.problems.append(
                "the document was changed after this signature beyond adding later signatures "
                f"({level.name if level is not None else 'unknown change'})"
            )
        report.signatures.append(entry)

    report.evaluation = check_evaluation(data, reevaluate)
    return report


def _outcome_key(outcome: dict[str, Any]) -> dict[str, Any]:
    return {
        "outcome": outcome.get("outcome"),
        "observed": outcome.get("observed"),
        "expected": outcome.get("expected"),
        "waived": bool(outcome.get("waiver")),
    }


def compare_results(printed: dict[str, Any], fresh: dict[str, Any]) -> list[str]:
    """The differences between the printed result and a fresh evaluation, as sentences."""
    problems: list[str] = []
    old_records = printed.get("records") or []
    new_records = fresh.get("records") or []
    if len(old_records) != 1 or len(new_records) != 1:
        return [f"the printed result has {len(old_records)} records and the re-evaluation {len(new_records)}; expected one each"]
    old = {o.get("rule"): o for o in old_records[0].get("outcomes") or []}
    new = {o.get("rule"): o for o in new_records[0].get("outcomes") or []}
    for rule in sorted(set(old) | set(new), key=str):
        if rule not in new:
            problems.append(f"{rule}: printed on the form, but the rules give no outcome for it")
            continue
        if rule not in old:
            problems.append(f"{rule}: the rules give '{new[rule].get('outcome')}', but the form does not show it")
            continue
        a, b = _outcome_key(old[rule]), _outcome_key(new[rule])
        for key in a:
            if a[key] != b[key]:
                problems.append(f"{rule}: the form says {key} {a[key]!r}, the rules give {b[key]!r}")
    s_old = old_records[0].get("score") or {}
    s_new = new_records[0].get("score") or {}
    for key in ("score", "grade", "passed"):
        if s_old.get(key) != s_new.get(key):
            problems.append(f"score: the form says {key} {s_old.get(key)!r}, the rules give {s_new.get(key)!r}")
    return problems


def check_evaluation(data: bytes, reevaluate: Reevaluate | None) -> EvaluationReport:
    from checkengine.rulebook.load import digest

    files = att.read_attachments(data)
    where = "the form"
    record = att.read_json_attachment(files, att.RECORD, where)
    result = att.read_json_attachment(files, att.RESULT, where)
    book = att.read_json_attachment(files, att.RULEBOOK, where)
    waivers = att.read_json_attachment(files, att.WAIVERS, where) if att.WAIVERS in files else None
    merged = book["merged"] if isinstance(book, dict) and "merged" in book else book
    report = EvaluationReport(checked=False, rulebook=str(merged.get("id", "")), record=str(record.get("id", "")))
    computed = digest(merged)
    report.digest = computed
    named = (result.get("rulebook") or {}).get("digest")
    if isinstance(book, dict) and book.get("digest") and book["digest"] != computed:
        report.problems.append(
            f"the embedded rulebook's content digest is {computed}, not the {book['digest']} it claims"
        )
    if named != computed:
        report.problems.append(f"the result names the rulebook digest {named}, but the embedded rulebook's is {computed}")
    if reevaluate is None:
        report.problems.append("the result was not re-evaluated (no evaluator given)")
        return report
    try:
        fresh = reevaluate(record, merged, result, waivers)
    except UserError as exc:
        report.checked = True
        report.problems.append(f"the embedded record cannot be re-evaluated: {exc}")
        return report
    report.checked = True
    report.problems.extend(compare_results(result, fresh))
    return report


def format_text(report: VerifyReport) -> str:
    lines = [f"{report.path}: {'VALID' if report.ok else 'INVALID'}"]
    for problem in report.problems:
        lines.append(f"  problem: {problem}")
    for s in report.signatures:
        when = s.timestamp_time or s.signing_time or "unknown time"
        stamp = f" (timestamped by {s.timestamp_server})" if s.timestamp_time else ""
        lines.append(
            f"  signature '{s.field}' by {s.signer} at {when}{stamp}: "
            f"{'ok' if s.ok else 'INVALID'} (intact: {'yes' if s.intact else 'no'}, "
            f"trusted: {'yes' if s.trusted else 'no'}, coverage: {s.coverage.lower().replace('_', ' ')})"
        )
        for problem in s.problems:
            lines.append(f"    problem: {problem}")
    e = report.evaluation
    if e.ok:
        lines.append(f"  result: re-evaluated record {e.record} against rulebook {e.rulebook} ({e.digest}): matches the form")
    else:
        lines.append(f"  result: re-evaluation of record {e.record} against rulebook {e.rulebook}: MISMATCH")
        for problem in e.problems:
            lines.append(f"    problem: {problem}")
    return "\n".join(lines)
