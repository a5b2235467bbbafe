"""Built-in reporters for evaluation results: text, json, jsonl and junit."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Callable, TextIO

from checkengine import jsonout
from checkengine import hookimpl
from checkengine.reporting import Reporter

if TYPE_CHECKING:  # imported by the JUnit reporter when it runs: every command loads this plugin
    from xml.etree import ElementTree as ET

MARKS = {"pass": "PASS", "fail": "FAIL", "not_applicable": "N/A ", "waived": "WAIV",
         "needs_review": "REVW", "error": "ERR "}


# The lines of the text format, shared with the batch's streaming TextWriter.

def is_shown(outcome: dict[str, Any], verbose: bool) -> bool:
    """Passes and n/a outcomes are listed with --verbose only."""
    return verbose or outcome["outcome"] not in ("pass", "not_applicable")


def record_heading(entry: dict[str, Any], where: str) -> str:
    rec = entry["record"]
    score = entry.get("score") or {}
    subject = (rec.get("subject") or {}).get("employee") or ""
    verdict = "passed" if score.get("passed") else "FAILED"
    shown = score.get("score")
    grade = f" grade {score['grade']}" if score.get("grade") else ""
    return (f"\n{where}: {rec['kind']} {rec['id']} {subject} "
            f"score {shown if shown is not None else '—'}{grade} {verdict}\n")


def outcome_line(o: dict[str, Any]) -> str:
    return f"  {MARKS[o['outcome']]} {o['rule']}: {o['title']} — {o['explanation']}\n"


def group_line(o: dict[str, Any]) -> str:
    group = " ".join(f"{k}={v}" for k, v in o["group"].items())
    return f"  {MARKS[o['outcome']]} {o['rule']} [{group}]: {o['title']} — {o['explanation']}\n"


def error_line(err: dict[str, Any]) -> str:
    where = err["file"] or "-"
    if err.get("line"):
        where += f":{err['line']}"
        if err.get("column"):
            where += f":{err['column']}"
    path = f" {err['path']}:" if err.get("path") else ""
    return f"{where}: error:{path} {err['message']}"


def summary_line(records: int, groups: int, errors: int, s: dict[str, int]) -> str:
    return (f"\n{records} records, {groups} aggregate groups, {errors} unusable: "
            f"{s['pass']} passed, {s['fail']} failed, {s['waived']} waived, {s['needs_review']} need "
            f"review, {s['error']} errors, {s['not_applicable']} not applicable\n")


class TextReporter(Reporter):
    name = "text"
    summary = "For people: findings per record, then a summary (--verbose lists passes too)."

    def render(self, result: dict[str, Any], out: TextIO, *, verbose: bool = False) -> None:
        book = result["rulebook"]
        out.write(f"rulebook {book['id']} {book['version']} ({book['digest'][:19]})\n")
        for entry in result["records"]:
            out.write(record_heading(entry, entry["record"]["file"]))
            for o in entry["outcomes"]:
                if is_shown(o, verbose):
                    out.write(outcome_line(o))
        if result["groups"]:
            out.write("\naggregates\n")
            for o in result["groups"]:
                if is_shown(o, verbose):
                    out.write(group_line(o))
        for err in result["errors"]:
            out.write(error_line(err) + "\n")
        out.write(summary_line(len(result["records"]), len(result["groups"]), len(result["errors"]),
                               result["summary"]))


class JsonReporter(Reporter):
    name = "json"
    summary = "The whole result as one JSON document (result.schema.json)."

    def render(self, result: dict[str, Any], out: TextIO, *, verbose: bool = False) -> None:
        jsonout.dump(result, out, indent=2)
        out.write("\n")


class JsonLinesReporter(Reporter):
    name = "jsonl"
    summary = "One JSON object per line: a header, each record, each group, each error, the summary."

    def render(self, result: dict[str, Any], out: TextIO, *, verbose: bool = False) -> None:
        head = {k: result[k] for k in ("schema", "rulebook", "language", "generated_at")}

        def write(obj: dict[str, Any]) -> None:
            out.write(jsonout.dumps(obj) + "\n")

        write({"type": "header", **head})
        for entry in result["records"]:
            write({"type": "record", **entry})
        for entry in result["groups"]:
            write({"type": "group", **entry})
        for err in result["errors"]:
            write({"type": "error", **err})
        write({"type": "summary", "summary": result["summary"]})


class JunitReporter(Reporter):
    name = "junit"
    summary = "JUnit XML (Apache Ant schema): a test suite per record, a test case per rule (for CI dashboards)."

    def render(self, result: dict[str, Any], out: TextIO, *, verbose: bool = False) -> None:
        # The Ant schema (tests/schemas/junit.xsd) that CI servers read: testsuites has no
        # attributes; each testsuite has package, id, timestamp (no zone), hostname and time, and
        # properties, system-out and system-err children; a test case has no file attribute, so the
        # record's file goes into system-out.
        from xml.etree import ElementTree as ET

        from checkengine.lint.junit import hostname, timestamp

        suites = ET.Element("testsuites")
        stamp, host = timestamp(), hostname()
        package = f"checkengine.{result['rulebook']['id']}"

        def suite_for(name: str, outcomes: list[dict[str, Any]], file: str | None) -> ET.Element:
            suite = ET.SubElement(suites, "testsuite", package=package, id=str(len(suites)), name=name,
                                  timestamp=stamp, hostname=host)
            ET.SubElement(suite, "properties")
            counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
            for o in outcomes:
                label = o["rule"] + (" " + json.dumps(o["group"], ensure_ascii=False) if "group" in o else "")
                case = ET.SubElement(suite, "testcase", name=label, classname=o.get("section") or "rules",
                                     time="0")
                counts["tests"] += 1
                if o["outcome"] == "fail":
                    counts["failures"] += 1
                    ET.SubElement(case, "failure", message=o["title"], type="fail").text = o["explanation"]
                elif o["outcome"] in ("error", "needs_review"):
                    counts["errors"] += 1
                    ET.SubElement(case, "error", message=o["title"], type=o["outcome"]).text = o["explanation"]
                elif o["outcome"] in ("not_applicable", "waived"):
                    counts["skipped"] += 1
                    ET.SubElement(case, "skipped", message=f"{o['outcome']}: {o['explanation']}")
            for k, v in counts.items():
                suite.set(k, str(v))
            suite.set("time", "0")
            ET.SubElement(suite, "system-out").text = f"file: {file}" if file else None
            ET.SubElement(suite, "system-err")
            return suite

        for entry in result["records"]:
            rec = entry["record"]
            suite_for(f"{rec['kind']} {rec['id']}", entry["outcomes"], rec.get("file"))
        if result["groups"]:
            suite_for("aggregates", result["groups"], None)
        if result["errors"]:
            suite = suite_for("unusable records", [], None)
            system_out = suite.find("system-out")
            for err in result["errors"]:
                where = ":".join(str(p) for p in (err.get("file"), err.get("line")) if p)
                case = ET.Element("testcase", name=where or "record", classname="records", time="0")
                ET.SubElement(case, "error", message=err["message"], type="unusable").text = err["message"]
                assert system_out is not None
                suite.insert(list(suite).index(system_out), case)
            suite.set("tests", str(len(result["errors"])))
            suite.set("errors", str(len(result["errors"])))
        ET.indent(suites)
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        out.write(ET.tostring(suites, encoding="unicode"))
        out.write("\n")


@hookimpl(trylast=True)
def checkengine_register_reporters(register: Callable[[Reporter], None]) -> None:
    for reporter in (TextReporter(), JsonReporter(), JsonLinesReporter(), JunitReporter()):
        register(reporter)
