"""Render+sign time of a 2-page, 60-row audit form vs rendering the same HTML with WeasyPrint alone.

Prints the figures (median of N interleaved runs each, in one process, after a warm-up run) and
the ratio, as wall-clock time and as this process's CPU time (steadier on a shared machine);
not a test. Run: .venv/bin/python benchmarks/bench_forms.py [RUNS]
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "pdf"))  # the test fixture and its 60-rule variant


def main() -> None:
    from weasyprint import HTML

    from checkengine.pdf.form_view import audit_context
    from checkengine.pdf.keys import load_key, new_self_signed
    from checkengine.pdf.labels import forms_dir
    from checkengine.pdf.render import render_audit_form
    from checkengine.pdf.sign import sign_pdf
    from checkengine.pdf.weasy import environment
    from pdf_helpers import fixture, many_rules

    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 9
    data = fixture()
    result, record = many_rules(data, 60)  # the fixture's outcomes repeated under new rule ids
    rows = result["records"][0]["outcomes"]
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        files = new_self_signed("林品管", base / "k", b"bench")
        key = load_key(files.p12, password=lambda w: b"bench")
        context, _ = audit_context(result, record, data["rulebook"], lang="zh-Hant", base_dir=base)
        html = environment().get_template("audit.html.j2").render(**context)

        def plain() -> int:
            return len(HTML(string=html, base_url=forms_dir().as_uri() + "/").write_pdf())

        def ours() -> int:
            rendered = render_audit_form(result, record, data["rulebook"], lang="zh-Hant", base_dir=base)
            return len(sign_pdf(rendered.pdf, key, field="inspector"))

        plain(), ours()  # warm up: fonts, templates, imports
        pages = render_audit_form(result, record, data["rulebook"], lang="zh-Hant", base_dir=base).pages
        wall: dict[str, list[float]] = {"plain": [], "ours": []}
        cpu: dict[str, list[float]] = {"plain": [], "ours": []}
        for _ in range(runs):  # interleaved, so that other load on the machine hits both alike
            for name, job in (("plain", plain), ("ours", ours)):
                w, c = time.perf_counter(), time.process_time()
                job()
                wall[name].append(time.perf_counter() - w)
                cpu[name].append(time.process_time() - c)
    print(f"audit form: {len(rows)} rows, {pages} pages, zh-Hant, median of {runs} runs")
    for label, figures in (("wall-clock", wall), ("CPU time", cpu)):
        wa, wb = statistics.median(figures["plain"]), statistics.median(figures["ours"])
        print(f"  {label}:")
        print(f"    WeasyPrint alone (same HTML):                 {wa * 1000:8.0f} ms")
        print(f"    checkengine render (PDF/A-3b, attachments,")
        print(f"      signature fields) + PAdES sign with stamp:  {wb * 1000:8.0f} ms")
        print(f"    ratio: {wb / wa:.2f} (extra work: {(wb / wa - 1) * 100:+.0f} %; target <= +15 %)")


if __name__ == "__main__":
    main()
