"""``checkengine audit`` as a whole process against WeasyPrint alone, in its own process, rendering the
same HTML: what a user waits for, start-up and imports included.

The record is a floor round of the example month (``FI-2026-11-03-001``) under
``rulebooks/cs-floor.yaml`` in zh-Hant: a 3-page form. ``checkengine audit`` loads the rulebook,
evaluates the record, renders the PDF/A-3b form with its attachments and signs it (PAdES, a
self-signed key made here). The baseline is a fresh ``python`` that imports WeasyPrint and writes
the same HTML (made here with checkengine's own template and context) as a PDF. Runs alternate
(A B A B ...) and each figure is the median of ``--runs``, as CPU time (user + system, the steadier
figure on a shared machine) and wall time. In-process and warm, ``bench_forms.py`` measures the
same render without start-up. Not a test: nothing asserts a time.

    .venv/bin/python benchmarks/bench_audit.py            # 5 runs each
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
CHECKENGINE = Path(sys.executable).with_name("checkengine")
RULEBOOK = ROOT / "rulebooks" / "cs-floor.yaml"
RECORD = ROOT / "examples" / "month-2026-11" / "inspections" / "FI-2026-11-03-001.yaml"
LANG = "zh-Hant"
# Both sides may use Python's bytecode caches, as installed packages do: with PYTHONDONTWRITEBYTECODE
# set, checkengine's modules (an editable install's) were compiled afresh in every run, WeasyPrint's not.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
WEASYPRINT_ALONE = ("import sys\nfrom weasyprint import HTML\n"
                    "HTML(filename=sys.argv[1], base_url=sys.argv[2]).write_pdf(sys.argv[3])\n")


def measure(argv: list[str]) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of one process."""
    started = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT, env=ENV)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    stderr = proc.stderr.read().decode() if proc.stderr else ""
    if proc.stderr:
        proc.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(argv)} failed:\n{stderr}")
    return usage.ru_utime + usage.ru_stime, wall


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    opts, _ = parser.parse_known_args(argv)  # benchmarks/run.py passes its arguments to everyone

    from checkengine import api
    from checkengine.pdf.form_view import audit_context
    from checkengine.pdf.keys import new_self_signed
    from checkengine.pdf.labels import forms_dir
    from checkengine.pdf.render import render_audit_form
    from checkengine.pdf.weasy import environment

    folder = Path(tempfile.mkdtemp(prefix="bench-audit-"))
    try:
        book = api.load_rulebook(RULEBOOK)
        result = api.evaluate_record_file(book, RECORD, lang=LANG)
        record = api.load_record(RECORD)
        context, _ = audit_context(result, record, book.merged, lang=LANG, base_dir=RECORD.parent)
        html = folder / "form.html"
        html.write_text(environment().get_template("audit.html.j2").render(**context), "utf-8")
        pages = render_audit_form(result, record, book.merged, lang=LANG, base_dir=RECORD.parent).pages
        key = new_self_signed("林品管", folder / "key", b"bench").p12
        (folder / "password").write_text("bench", "utf-8")
        sides = {
            "audit": [str(CHECKENGINE), "audit", "-r", str(RULEBOOK), "--lang", LANG, str(RECORD),
                      "-o", str(folder / "form.pdf"), "--force", "--sign", str(key),
                      "--password-file", str(folder / "password")],
            "weasyprint": [sys.executable, "-c", WEASYPRINT_ALONE, str(html), forms_dir().as_uri() + "/",
                           str(folder / "plain.pdf")],
        }
        for side in sides.values():  # warm-up: OS caches, font caches
            measure(side)
        seen: dict[str, list[tuple[float, float]]] = {name: [] for name in sides}
        for _ in range(opts.runs):
            for name, side in sides.items():
                seen[name].append(measure(side))
        cpu = {name: statistics.median(c for c, _ in runs) for name, runs in seen.items()}
        wall = {name: statistics.median(w for _, w in runs) for name, runs in seen.items()}
        print(f"bench_audit: a {pages}-page {LANG} audit form of {RECORD.name} ({RULEBOOK.name}), whole processes, "
              f"median of {opts.runs} alternating runs")
        print(f"  {'':46} {'CPU':>8} {'wall':>8}")
        print(f"  {'WeasyPrint alone, same HTML (python -c)':46} {cpu['weasyprint']:7.2f}s {wall['weasyprint']:7.2f}s")
        print(f"  {'checkengine audit (evaluate, render, sign)':46} {cpu['audit']:7.2f}s {wall['audit']:7.2f}s")
        print(f"  ratio: {cpu['audit'] / cpu['weasyprint']:.2f}x CPU, {wall['audit'] / wall['weasyprint']:.2f}x wall "
              f"(target <= 1.15x CPU); load average {os.getloadavg()[0]:.1f}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
