"""Each signature checked with pyHanko, and then for what pyHanko leaves out.

pyHanko checks the signature value, the signed digest and the chain to a trusted certificate.
Here, in addition: the key usage and validity dates of the signer's certificate even when it is
itself the trusted certificate (pyHanko skips both for a trust root, which is how self-signed
keys are trusted), the role the certificate is trusted for, and a strict difference analysis of
every later revision: after the inspector's signature only the manager's signature field may be
filled.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime, timezone
from typing import Any

from checkengine.pdf.verify.report import SignatureReport

SIGNING_USAGES = ("digital_signature", "non_repudiation")
CHANGED_AFTER = "the document was changed after this signature beyond filling in a later signature"


def strict_diff_policy() -> Any:
    """A pyHanko difference policy that allows nothing after a signature but filling an existing
    signature field (no new fields, widgets, annotations, attachments, metadata or content)."""
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.diff_analysis.form_rules_api import FormUpdatingRule
    from pyhanko.sign.diff_analysis.policies import StandardDiffPolicy
    from pyhanko.sign.diff_analysis.rules.file_structure_rules import (
        CatalogModificationRule,
        ObjectStreamRule,
        XrefStreamRule,
    )
    from pyhanko.sign.diff_analysis.rules.form_field_rules import SigFieldModificationRule
    from pyhanko.sign.diff_analysis.rules.metadata_rules import DocInfoRule, MetadataUpdateRule

    return StandardDiffPolicy(
        global_rules=[
            CatalogModificationRule(),  # type: ignore[no-untyped-call]  # pyHanko's rules are untyped
            XrefStreamRule().as_qualified(ModificationLevel.LTA_UPDATES),
            ObjectStreamRule().as_qualified(ModificationLevel.LTA_UPDATES),
            # Each signing revision updates the modification date in /Info and the XMP metadata;
            # metadata_problems() then checks that nothing but those dates changed.
            DocInfoRule().as_qualified(ModificationLevel.LTA_UPDATES),
            MetadataUpdateRule().as_qualified(ModificationLevel.LTA_UPDATES),  # type: ignore[no-untyped-call]
        ],
        form_rule=FormUpdatingRule(field_rules=[SigFieldModificationRule()]),
        ignore_orphaned_objects=False,
    )


# What a signing revision may change in the metadata: dates and the producing software.
VOLATILE_XMP = re.compile(rb"<(xmp:ModifyDate|xmp:MetadataDate|pdf:Producer|xmp:CreatorTool)>.*?</\1>"
                          rb"|(xmp:ModifyDate|xmp:MetadataDate|pdf:Producer|xmp:CreatorTool)=\"[^\"]*\"", re.S)
VOLATILE_INFO = ("/ModDate", "/Producer", "/Creator")


def metadata_problems(reader: Any, revision: int) -> list[str]:
    """Problems when the document's metadata (title, author, subject, keywords...) differs between
    *revision* (a signed one) and the latest revision beyond the dates and producer."""
    old = reader.get_historical_resolver(revision)
    new = reader.get_historical_resolver(reader.xrefs.total_revisions - 1)
    problems = []
    old_info, new_info = _info(old), _info(new)
    if old_info != new_info:
        changed = sorted(set(old_info.items()) ^ set(new_info.items()))
        problems.append("the form's properties (" + ", ".join(sorted({k[1:] for k, _ in changed}))
                        + ") were changed after this signature")
    if _xmp(old) != _xmp(new):
        problems.append("the form's metadata (its title, author or description) was changed after this signature")
    return problems


def _entry(resolver: Any, holder: Any, key: str) -> Any:
    """*holder*[*key*] as it was in the revision of *resolver* (not as the latest revision has it)."""
    value = holder.raw_get(key)
    return resolver(value.reference) if hasattr(value, "reference") else value


def _info(resolver: Any) -> dict[str, str]:
    try:
        info = _entry(resolver, resolver.trailer_view, "/Info")
        return {str(k): str(v) for k, v in info.items() if k not in VOLATILE_INFO}
    except (KeyError, AttributeError, TypeError):
        return {}


def _xmp(resolver: Any) -> bytes:
    try:
        data: bytes = _entry(resolver, resolver.root, "/Metadata").data
    except (KeyError, AttributeError, TypeError):
        return b""
    return VOLATILE_XMP.sub(b"", data)


def _name(cert: Any) -> tuple[str, str]:
    subject = cert.subject
    return str(subject.native.get("common_name", "")), subject.human_friendly


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds") if moment else None


def fingerprint(cert: Any) -> str:
    """The certificate's SHA-256 fingerprint as the stamp shows it (first 12 bytes, colon-separated)."""
    digest = hashlib.sha256(cert.dump()).hexdigest().upper()
    return ":".join(digest[i:i + 2] for i in range(0, 24, 2))


def dates_problem(cert: Any, at: datetime) -> str | None:
    not_after = cert["tbs_certificate"]["validity"]["not_after"].native
    not_before = cert["tbs_certificate"]["validity"]["not_before"].native
    if at > not_after:
        return f"the signer's certificate expired on {not_after:%Y-%m-%d %H:%M} UTC"
    if at < not_before:
        return f"the signer's certificate is not valid before {not_before:%Y-%m-%d %H:%M} UTC"
    return None


def key_usage_problem(cert: Any) -> str | None:
    """Why the certificate may not sign documents, or None (its key usage allows it)."""
    usage = cert.key_usage_value
    if usage is None:
        return "the signer's certificate does not say that its key may sign (it has no key usage)"
    allowed = set(usage.native or [])
    if not allowed & set(SIGNING_USAGES):
        shown = ", ".join(sorted(allowed)) or "nothing"
        return f"the signer's certificate is not for signing documents (its key usage is {shown})"
    return None


def check_signature(sig: Any, roots: list[Any], role_roots: list[Any], *, moment: datetime,
                    locked: bool, later_fields: tuple[str, ...]) -> SignatureReport:
    """Validate *sig* (a pyHanko EmbeddedPdfSignature) against *roots* (any role) and
    *role_roots* (certificates given for this field's role)."""
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.settings import KeyUsageConstraints
    from pyhanko_certvalidator import ValidationContext

    try:
        cert = sig.signer_cert
        cn, subject = _name(cert)
    except Exception as exc:  # noqa: BLE001 - a forged signature may name no certificate
        entry = SignatureReport(sig.field_name, "unknown signer", "", None, None, None, False, False, False,
                                "unknown", None, sig.signed_revision)
        entry.problems.append(f"the signature cannot be checked: its value is damaged or forged ({exc})")
        return entry
    context = ValidationContext(trust_roots=roots + role_roots, allow_fetching=False,
                                revocation_mode="soft-fail", moment=moment)
    usage = KeyUsageConstraints(key_usage=set(SIGNING_USAGES), match_all_key_usages=False)
    entry = SignatureReport(sig.field_name, cn, subject, _iso(sig.self_reported_timestamp), None, None,
                            False, False, False, "unknown", None, sig.signed_revision, fingerprint(cert))
    try:
        status = validate_pdf_signature(sig, context, ts_validation_context=context, key_usage_settings=usage,
                                        diff_policy=strict_diff_policy())
    except Exception as exc:  # noqa: BLE001 - any failure of a hostile file is a finding
        entry.problems.append(f"the signature cannot be checked: it is malformed ({type(exc).__name__}: {exc})")
        return entry
    level = status.modification_level
    token = status.timestamp_validity
    entry.signing_time = _iso(status.signer_reported_dt)
    entry.timestamp_time = _iso(token.timestamp) if token is not None else None
    entry.timestamp_server = _name(token.signing_cert)[0] if token is not None else None
    entry.intact, entry.valid, entry.trusted = bool(status.intact), bool(status.valid), bool(status.trusted)
    entry.coverage = status.coverage.name if status.coverage is not None else "unknown"
    entry.modification = level.name if level is not None else None
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
    at = token.timestamp if token is not None and token.intact and token.valid and token.trusted else moment
    dated = dates_problem(cert, at)
    if dated:
        entry.problems.append(dated)
    if status.intact and status.valid and not status.trusted:
        given = f"--trust or --trust-{sig.field_name}" if role_roots else "--trust"
        entry.problems.append(f"the signer's certificate is not trusted: it does not chain to a certificate given with {given}")
    usage_problem = key_usage_problem(cert)
    if usage_problem:
        entry.problems.append(usage_problem)
    diff = status.diff_result
    if status.coverage is not None and status.coverage.name == "ENTIRE_FILE":
        pass
    elif diff is None or not hasattr(diff, "changed_form_fields"):
        entry.problems.append(f"{CHANGED_AFTER}: "
                              + ("a later update replaced parts of the signed form" if diff is not None
                                 else "the signature does not cover its whole revision"))
    elif level is None or level.name not in ("NONE", "LTA_UPDATES", "FORM_FILLING"):
        entry.problems.append(f"{CHANGED_AFTER} "
                              f"({level.name if level is not None else 'unknown change'})")
    changed = set(getattr(diff, "changed_form_fields", None) or ()) - set(later_fields)
    if changed:
        entry.problems.append(f"the form field{'s' if len(changed) > 1 else ''} {', '.join(sorted(changed))} "
                              "changed after this signature; only a later signature may be added")
    if entry.coverage == "ENTIRE_REVISION" and diff is not None and hasattr(diff, "changed_form_fields"):
        try:
            entry.problems.extend(metadata_problems(sig.reader, sig.signed_revision))
        except Exception as exc:  # noqa: BLE001 - a hostile revision
            entry.problems.append(f"the form's metadata after this signature cannot be read ({exc})")
    if locked and not _locks(sig):
        # Forms signed before the lock was added stay valid: checkengine's own difference analysis
        # above refuses every later change but the countersignature, lock or no lock.
        entry.notes.append("it does not lock the form against later changes (no certification or field lock), "
                           "so PDF readers will not enforce that; checkengine checked every later change "
                           "itself (a form signed by checkengine before version 0.2, or by another tool)")
    return entry


def _locks(sig: Any) -> bool:
    """True when the signature restricts later changes: DocMDP P<=2 (certification) or a
    FieldMDP lock of every field but the later ones."""
    try:
        docmdp = sig.docmdp_level
        fieldmdp = sig.fieldmdp
    except Exception:  # noqa: BLE001 - a malformed lock is no lock
        return False
    from pyhanko.sign.fields import MDPPerm

    return (docmdp is not None and docmdp <= MDPPerm.FILL_FORMS) or fieldmdp is not None
