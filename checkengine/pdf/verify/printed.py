"""What a person sees: the printed rule rows, score line and signature stamps, read back.

The text of the signed revision is extracted with poppler's ``pdftotext -bbox`` (every word
with its box, as a reader draws it, annotations included) and compared with what checkengine's
renderer prints from the embedded ``result.json``: for each rule row the rule id and its
outcome label in the Result column, in order, then the score line (score, maximum, grade,
verdict). A word drawn over a cell, a cell left empty, a row added or dropped, all show as a
row that differs from the embedded result; the first such row is reported.

Each signed field's stamp must show its own role, its signer's name and the fingerprint of the
certificate that made the signature, and not the other role.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from typing import Any

from checkengine.pdf.labels import Formatter

TOLERANCE = 1.0  # points: cells of one column start at the same x
WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>')
PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">')
ROLE_LABELS = {"inspector": "inspector", "manager": "site_manager"}


@dataclass(frozen=True)
class Word:
    x0: float
    y0: float
    x1: float
    y1: float
    text: str

    @property
    def middle(self) -> float:
        return (self.y0 + self.y1) / 2


@dataclass
class Page:
    width: float
    height: float
    words: list[Word]


class Extraction:
    """pdftotext running on a copy of some PDF bytes; :meth:`pages` waits for it. Started early, it
    runs while the signatures are checked."""

    def __init__(self, pdf: bytes) -> None:
        tool = shutil.which("pdftotext")
        if tool is None:
            raise RuntimeError("poppler's pdftotext is not installed (scripts/system-deps.sh installs it)")
        self._file = tempfile.NamedTemporaryFile(suffix=".pdf")  # noqa: SIM115 - closed in pages()
        self._file.write(pdf)
        self._file.flush()
        self._process = subprocess.Popen([tool, "-q", "-bbox", self._file.name, "-"],
                                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self._pages: list[Page] | None = None

    def pages(self) -> list[Page]:
        if self._pages is None:
            try:
                out, _ = self._process.communicate(timeout=120)
            finally:
                self._file.close()
            self._pages = _parse(out.decode("utf-8", "replace"))
        return self._pages

    def close(self) -> None:
        if self._pages is None:
            self._process.kill()
            self._process.communicate()
            self._file.close()


def extract(pdf: bytes) -> list[Page]:
    """Every page's words with their boxes (top-left origin, points), as poppler draws them."""
    return Extraction(pdf).pages()


def _parse(text: str) -> list[Page]:
    pages: list[Page] = []
    for chunk in text.split("</page>"):
        head = PAGE.search(chunk)
        if not head:
            continue
        words = [Word(float(a), float(b), float(c), float(d), html.unescape(t)) for a, b, c, d, t in WORD.findall(chunk)]
        pages.append(Page(float(head.group(1)), float(head.group(2)), words))
    return pages


def _squash(text: str) -> str:
    return "".join(text.split())


def expected_rows(result: dict[str, Any], merged: dict[str, Any], lang: str) -> list[tuple[str, str]]:
    """(rule id, outcome label) of every rule row, in the order the renderer prints them."""
    labels = Formatter(lang).labels
    records = result.get("records") or []
    outcomes = (records[0].get("outcomes") or []) if len(records) == 1 and isinstance(records[0], dict) else []
    by_section: dict[str, list[dict[str, Any]]] = {}
    for each in outcomes:
        if isinstance(each, dict):
            by_section.setdefault(str(each.get("section", "")), []).append(each)
    order = [str(s.get("id")) for s in merged.get("sections") or [] if isinstance(s, dict)]
    order += [s for s in by_section if s not in order]
    rows = []
    for section in order:
        for o in by_section.get(section, []):
            outcome = str(o.get("outcome", ""))
            rows.append((str(o.get("rule", "")), labels.get(f"outcome_{outcome}", outcome)))
    return rows


def expected_score(result: dict[str, Any], lang: str) -> str | None:
    """The printed score line, as the renderer makes it; None when the result has no score."""
    fmt = Formatter(lang)
    labels = fmt.labels
    records = result.get("records") or []
    score = records[0].get("score") if len(records) == 1 and isinstance(records[0], dict) else None
    if not isinstance(score, dict) or not score:
        return None
    value = score.get("score", 0)
    shown = fmt.number(value) if value is not None else "—"  # no rule scored: the renderer shows a dash
    line = f"{labels['score']} {shown} / {fmt.number(score.get('max', 100))}"
    if score.get("grade"):
        line += f" · {labels['grade']} {score['grade']}"
    return line + f" · {labels['passed'] if score.get('passed') else labels['not_passed']}"


def _same_line(a: Word, b: Word) -> bool:
    return abs(a.middle - b.middle) < 2.5


def _lines(words: list[Word]) -> list[list[Word]]:
    out: list[list[Word]] = []
    for word in sorted(words, key=lambda w: (w.middle, w.x0)):
        if out and _same_line(out[-1][0], word):
            out[-1].append(word)
        else:
            out.append([word])
    return [sorted(line, key=lambda w: w.x0) for line in out]


def printed_rows(pages: list[Page], lang: str) -> list[tuple[str, str]]:
    """(rule id, Result cell) of every row of the printed rule tables, in reading order."""
    labels = Formatter(lang).labels
    rows: list[tuple[str, str]] = []
    for page in pages:
        lines = _lines(page.words)
        headers = []
        for index, line in enumerate(lines):
            texts = [w.text for w in line]
            if labels["rule"] in texts and labels["result"] in texts and texts[-1] != labels["result"]:
                headers.append(index)
        for n, start in enumerate(headers):
            header = lines[start]
            rule = next(w for w in header if w.text == labels["rule"])
            result = next(w for w in header if w.text == labels["result"])
            observed = min((w for w in header if w.x0 > result.x1), key=lambda w: w.x0)  # the next column
            title = min((w for w in header if w.x0 > rule.x0 + TOLERANCE), key=lambda w: w.x0)
            stop = headers[n + 1] if n + 1 < len(headers) else len(lines)
            current: list[Any] | None = None
            for line in lines[start + 1:stop]:
                if line[0].x0 < rule.x0 - TOLERANCE:
                    break  # a heading or the page footer: the table ended
                starts = [w for w in line if abs(w.x0 - rule.x0) < TOLERANCE]
                cell = [w for w in line if result.x0 - TOLERANCE <= w.x0 < observed.x0 - TOLERANCE]
                rule_words = [w for w in line if rule.x0 - TOLERANCE <= w.x0 < title.x0 - TOLERANCE]
                if starts and cell:
                    current = [_squash(" ".join(w.text for w in rule_words)), [w.text for w in cell]]
                    rows.append(current)  # type: ignore[arg-type]
                elif current is not None:
                    if starts:
                        current[0] += _squash(" ".join(w.text for w in rule_words))
                    current[1].extend(w.text for w in cell)
    return [(str(r), " ".join(c)) for r, c in rows]


def printed_score(pages: list[Page], lang: str) -> str | None:
    """The line after the Scores heading, as printed; None when there is no such heading."""
    heading = _squash(Formatter(lang).labels["scores"])
    for page in pages:
        lines = _lines(page.words)
        for index, line in enumerate(lines[:-1]):
            if _squash(" ".join(w.text for w in line)) == heading:
                return " ".join(w.text for w in lines[index + 1])
    return None


def row_problems(pages: list[Page], result: dict[str, Any], merged: dict[str, Any], lang: str) -> tuple[list[str], str]:
    """Problems where the printed rows or score differ from the embedded result, and a summary."""
    expected = expected_rows(result, merged, lang)
    printed = printed_rows(pages, lang)
    problems = []
    for index, (want, got) in enumerate(zip(expected, printed)):
        if (want[0], _squash(want[1])) != (got[0], _squash(got[1])):
            problems.append(
                f"the printed form differs from its embedded result at rule row {index + 1}: it shows "
                f"'{got[0]}' as '{got[1] or '(nothing)'}', the embedded result has '{want[0]}' as '{want[1]}'"
            )
            break
    if not problems and len(expected) != len(printed):
        problems.append(f"the printed form shows {len(printed)} rule rows, but its embedded result has {len(expected)}")
    score = expected_score(result, lang)
    if score is not None:
        shown = printed_score(pages, lang)
        if shown is None or _squash(shown) != _squash(score):
            problems.append(f"the printed score line reads '{shown or '(nothing)'}', but the embedded result gives "
                            f"'{score}'")
    summary = f"{len(printed)} rule rows and the score line read back from the page and equal to result.json"
    return problems, summary


def stamp_problems(pages: list[Page], fields: list[Any], signers: dict[str, tuple[str, str]], lang: str) -> list[str]:
    """Problems of the signature stamps: *fields* are sign.FieldInfo, *signers* field -> (name, fingerprint)."""
    labels = Formatter(lang).labels
    problems = []
    for info in fields:
        if info.name not in signers or info.page >= len(pages) or info.name not in ROLE_LABELS:
            continue
        page = pages[info.page]
        x1, y1, x2, y2 = info.box
        top, bottom = page.height - y2, page.height - y1
        inside = [w for w in page.words if x1 - 1 <= w.x0 and w.x1 <= x2 + 1 and top - 1 <= w.y0 and w.y1 <= bottom + 1]
        text = _squash(" ".join(w.text for w in _flatten(_lines(inside))))
        name, fingerprint = signers[info.name]
        role = labels[ROLE_LABELS[info.name]]
        others = [labels[v] for k, v in ROLE_LABELS.items() if k != info.name]
        shown = f"the stamp of the '{info.name}' signature"
        if _squash(f"({role})") not in text or any(_squash(f"({o})") in text for o in others):
            problems.append(f"{shown} does not show its own role ({role}): one signer drew the other's stamp")
        if _squash(name) not in text:
            problems.append(f"{shown} does not show the name of the person who signed ({name})")
        if _squash(fingerprint) not in text:
            problems.append(f"{shown} does not show the fingerprint of the certificate that signed ({fingerprint})")
    return problems


def _flatten(lines: list[list[Word]]) -> list[Word]:
    return [w for line in lines for w in line]


def language(result: dict[str, Any]) -> str:
    return str(result.get("language") or "en")

