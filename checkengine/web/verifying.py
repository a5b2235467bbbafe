"""The public verify page: anyone uploads a signed form and gets ``checkengine verify``'s verdict,
against the certificates the server was started with (``--trust``).

It changes nothing (no state, no session), so it needs no sign-in and no CSRF token; it is costly
(pyHanko, a re-evaluation), so it is rate-limited per client address; the upload is size-limited
and read from a temporary file that is removed at once.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from checkengine.errors import UserError
from checkengine.web.evaluation import reevaluate

MAX_FORM_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class Verdict:
    ok: bool
    verdict: str
    problems: list[str]
    details: list[str]


def verify_upload(data: bytes, trust: list[Path], *, allow_missing_countersignature: bool) -> Verdict:
    """``checkengine verify``'s verdict on *data* (a UserError when it is not a usable PDF)."""
    from checkengine.pdf.verify import format_text, verify_pdf
    from checkengine.pdf.verify.report import verdict

    if len(data) > MAX_FORM_BYTES:
        raise UserError(f"the file is larger than {MAX_FORM_BYTES // (1024 * 1024)} MB; a signed form is smaller")
    with tempfile.TemporaryDirectory(prefix="checkengine-verify-") as folder:
        path = Path(folder) / "form.pdf"
        path.write_bytes(data)
        report = verify_pdf(path, list(trust), reevaluate=reevaluate,
                            allow_missing_countersignature=allow_missing_countersignature)
    lines = format_text(report).splitlines()[1:]
    return Verdict(report.ok, verdict(report), list(report.problems),
                   [line.strip() for line in lines if not line.strip().startswith("problem:")])
