"""Evaluation throughput on one core: the engine with a 60-rule rulebook against hand-written Python
that checks the same 60 rules on the same records.

The rulebook mixes equals, in_range, manual, compare, expression, phrases and notice rules, a third
of them with a `when` condition. Records are validated beforehand (loading is not timed). Two
hand-written versions:

- "same result" builds what the engine builds for a record (the comparable outcome dicts: the
  engine's fields, explanations with the parameters in force, sources, evidence, and the weighted
  score), with everything known in advance: no plugin dispatch, no CEL, no message catalogue.
  The target (engine >= 50 % of its speed, issue 16; an earlier one was 25 %) is measured against this one.
- "bare dicts" builds five-key outcome dicts: a floor, shown for scale.

A peer runs the same 60 rules written in Rego (``sixty_rules.rego``) with regorus, a Rego
interpreter in Rust (the optional ``bench`` extra; skipped with a note when it is not installed).

Every version must give the same outcome for every rule, or the comparison is meaningless: the
Rego peer is compared with the engine on every record before anything is timed. Times are CPU
times of this process per record, the median of REPEATS interleaved rounds (the machine may be
shared: the ratios of one run mean more than the absolute times).
Not a test. Run: .venv/bin/python benchmarks/bench_evaluate.py [RECORDS] [REPEATS] [--profile]
"""

from __future__ import annotations

import random
import re
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

LANGS = ("en", "zh-Hant", "zh-Hans")
GREETING = {"zh-Hant": ["您好", "你好"], "en": ["hello"]}
RUDE = {"zh-Hant": ["不知道", "我不管"], "en": ["no idea"]}
MAX_N = 40
NOTICE = 60
WHEN = "record.observations.on_duty == true"


def _t(text: str) -> dict[str, str]:
    return {lang: text for lang in LANGS}


def rules() -> list[dict[str, Any]]:
    """60 rules: (kind, options) with a `when` on every third."""
    out: list[dict[str, Any]] = []
    for i in range(15):
        out.append({"type": "equals", "field": f"observations.f{i}", "value": True})
    for i in range(10):
        out.append({"type": "in_range", "field": f"observations.n{i}", "max": {"param": "max_n"}})
    for i in range(10):
        out.append({"type": "manual", "item": f"M{i}"})
    for i in range(8):
        out.append({"type": "compare", "value": f"record.observations.n{i} * 2", "max": {"param": "max_n"}})
    for i in range(8):
        out.append({"type": "expression", "expr": f"record.observations.n{i} < 35 && record.observations.f{i}"})
    for _ in range(5):
        out.append({"type": "phrases", "require": [{"name": "greeting", "position": "opening",
                                                    "phrases": {"param": "greeting"}}],
                    "forbid": [{"name": "rude", "phrases": {"param": "rude"}}]})
    for _ in range(4):
        out.append({"type": "notice", "from": "data.requested_at", "to": "data.shift_start",
                    "min": {"param": "notice"}})
    return out


def rulebook(folder: Path) -> Path:
    def param(value: Any) -> dict[str, Any]:
        return {"description": _t("p"), "values": {"2020-01-01": {"value": value, "reference": "bench"}}}

    book = {
        "checkengine": 1, "id": "bench", "version": "1.0.0", "title": _t("Benchmark"), "languages": list(LANGS),
        "parameters": {"max_n": param(MAX_N), "notice": param(NOTICE), "greeting": param(GREETING),
                       "rude": param(RUDE)},
        "sections": [{"id": "main", "title": _t("Main"), "rules": [
            {"id": f"R{i:02d}", "title": _t(f"Rule {i}"), "source": f"C{i:02d}",
             "applies_to": {"kinds": ["floor_inspection"]}, "check": check,
             **({"when": WHEN} if i % 3 == 0 else {})}
            for i, check in enumerate(rules())]}],
    }
    path = folder / "bench.yaml"
    path.write_text(yaml.safe_dump(book, allow_unicode=True, sort_keys=False), "utf-8")
    return path


def records(n: int) -> list[dict[str, Any]]:
    rng = random.Random(3)
    out = []
    for i in range(n):
        observations: dict[str, Any] = {"on_duty": rng.random() < 0.8}
        observations.update({f"f{k}": rng.random() < 0.9 for k in range(15)})
        observations.update({f"n{k}": rng.randint(0, 45) for k in range(10)})
        answers = {f"M{k}": {"result": rng.choice(["pass", "pass", "pass", "fail", "n.a."]), "comment": "seen"}
                   for k in range(10) if rng.random() < 0.9}
        minutes = rng.randint(30, 120)
        turns = [{"speaker": "agent", "text": rng.choice(["您好，請問辦理什麼業務", "喂", "ＨＥＬＬＯ"])},
                 {"speaker": "customer", "text": "我要開戶"},
                 {"speaker": "agent", "text": rng.choice(["好的，請慢走", "我不知道"])}]
        out.append({
            "kind": "floor_inspection", "id": f"FI-{i:05d}", "timestamp": "2026-11-03T09:15:00+08:00",
            "site": {"id": "cc-taipei", "country": "TW"}, "subject": {"employee": f"E{i % 80:03d}", "role": "agent"},
            "observations": observations, "answers": answers,
            "data": {"language": "zh-Hant", "turns": turns,
                     "requested_at": f"2026-11-03T{(9 * 60 - minutes) // 60:02d}:{(9 * 60 - minutes) % 60:02d}:00+08:00",
                     "shift_start": "2026-11-03T09:00:00+08:00"},
        })
    return out


# -- the hand-written versions ---------------------------------------------------------------------
def hand_written_minimal(record: dict[str, Any]) -> list[dict[str, Any]]:
    """The same 60 rules written directly in Python, each outcome a small dict (rule, outcome,
    observed, expected, explanation): a floor for what any implementation costs."""
    from checkengine.textnorm import phrase_key, said

    obs = record["observations"]
    answers = record.get("answers") or {}
    data = record["data"]
    out: list[dict[str, Any]] = []
    index = 0

    def add(outcome: str, observed: Any, expected: Any, explanation: str) -> None:
        nonlocal index
        out.append({"rule": f"R{index:02d}", "outcome": outcome, "observed": observed, "expected": expected,
                    "explanation": explanation})
        index += 1

    def when() -> bool:
        if index % 3 == 0 and obs["on_duty"] is not True:
            add("not_applicable", None, None, f"does not apply: the condition does not hold: {WHEN}")
            return False
        return True

    for k in range(15):
        if when():
            v = obs[f"f{k}"]
            add("pass" if v is True else "fail", v, True, f"observations.f{k} is {v}; expected True")
    for k in range(10):
        if when():
            v = obs[f"n{k}"]
            add("pass" if v <= MAX_N else "fail", v, f"..{MAX_N}", f"observations.n{k} is {v}; allowed ..{MAX_N}")
    for k in range(10):
        if when():
            answer = answers.get(f"M{k}")
            if not answer:
                add("needs_review", None, "pass", "no answer from the auditor yet")
            else:
                result = {"pass": "pass", "fail": "fail", "n.a.": "not_applicable"}[answer["result"]]
                add(result, answer["result"], "pass", f"the auditor judged it {result}")
    for k in range(8):
        if when():
            v = obs[f"n{k}"] * 2
            add("pass" if v <= MAX_N else "fail", v, f"..{MAX_N}", f"n{k} * 2 is {v}; allowed ..{MAX_N}")
    for k in range(8):
        if when():
            ok = obs[f"n{k}"] < 35 and obs[f"f{k}"]
            add("pass" if ok else "fail", ok, True, f"the condition {'holds' if ok else 'does not hold'}")
    agent = [phrase_key(t["text"]) for t in data["turns"] if t["speaker"] == "agent"]
    greeting = [p for lang, ps in GREETING.items() if lang.startswith("zh") for p in ps]
    rude = [p for lang, ps in RUDE.items() if lang.startswith("zh") for p in ps]
    for _ in range(5):
        if when():
            greeted = any(said(phrase_key(p), agent[0]) for p in greeting) if agent else False
            bad = [p for p in rude if any(said(phrase_key(p), t) for t in agent)]
            ok = greeted and not bad
            add("pass" if ok else "fail", {"greeted": greeted, "forbidden": bad}, None,
                "greeting found" if ok else f"missing greeting or forbidden {bad}")
    for _ in range(4):
        if when():
            given = (datetime.fromisoformat(data["shift_start"]) -
                     datetime.fromisoformat(data["requested_at"])).total_seconds() / 60
            add("pass" if given >= NOTICE else "fail", given, f">= {NOTICE}",
                f"{given} minutes of notice; at least {NOTICE}")
    return out


SINCE = "2020-01-01"


def hand_written(record: dict[str, Any]) -> dict[str, Any]:
    """The same 60 rules written directly in Python, producing what the engine produces for a
    record: the record's summary, each outcome with the engine's fields (title, severity, weight,
    explanation with the parameters in force, observed/expected, parameters, sources, evidence,
    details) and the weighted score. The rules are known in advance, so nothing is generic: no
    plugin dispatch, no condition language, no messages catalogue."""
    from checkengine.textnorm import phrase_key, said

    obs = record["observations"]
    answers = record.get("answers") or {}
    data = record["data"]
    out: list[dict[str, Any]] = []
    index = 0
    max_n = {"max_n": {"value": MAX_N, "since": SINCE, "reference": "bench"}}
    max_n_text = f"max_n = {MAX_N} (since {SINCE})"

    def add(outcome: str, observed: Any, expected: Any, explanation: str, parameters: dict[str, Any] | None = None,
            details: dict[str, Any] | None = None) -> None:
        nonlocal index
        rule_id = f"R{index:02d}"
        source = {"clause": f"C{index:02d}"}
        details = details or {}
        out.append({
            "rule": rule_id, "section": "main", "title": f"Rule {index}", "outcome": outcome, "severity": "major",
            "weight": 3.0, "critical": False, "explanation": explanation, "observed": observed, "expected": expected,
            "parameters": parameters or {}, "source": source, "sources": [source], "waiver": None,
            "comment": details.pop("comment", None), "evidence": details.pop("evidence", []), "details": details,
            "corrective_action": None,
        })
        index += 1

    def when() -> bool:
        if index % 3 == 0 and obs["on_duty"] is not True:
            add("not_applicable", None, None, f"does not apply: the condition does not hold: {WHEN}")
            return False
        return True

    yes = {True: "yes", False: "no"}
    for k in range(15):
        if when():
            v = obs[f"f{k}"]
            add("pass" if v is True else "fail", v, True, f"observations.f{k} is {yes[v]}; expected yes")
    for k in range(10):
        if when():
            v = obs[f"n{k}"]
            add("pass" if v <= MAX_N else "fail", v, f"..{MAX_N}",
                f"observations.n{k} is {v}; allowed ..{MAX_N}; {max_n_text}", dict(max_n))
    for k in range(10):
        if when():
            answer = answers.get(f"M{k}")
            if not answer:
                add("needs_review", None, "pass", "no answer from the auditor yet")
            else:
                result = {"pass": "pass", "fail": "fail", "n.a.": "not_applicable"}[answer["result"]]
                add(result, answer["result"], "pass", f"the auditor judged it {result}", None,
                    {"comment": answer.get("comment"), "evidence": list(answer.get("evidence") or [])})
    for k in range(8):
        if when():
            v = obs[f"n{k}"] * 2
            add("pass" if v <= MAX_N else "fail", v, f"..{MAX_N}",
                f"record.observations.n{k} * 2 is {v}; allowed ..{MAX_N}; {max_n_text}", dict(max_n))
    for k in range(8):
        if when():
            ok = obs[f"n{k}"] < 35 and obs[f"f{k}"]
            text = "holds" if ok else "does not hold"
            add("pass" if ok else "fail", ok, True,
                f"the condition {text}: record.observations.n{k} < 35 && record.observations.f{k}")
    agent = [(n, phrase_key(t["text"])) for n, t in enumerate(data["turns"], 1) if t["speaker"] == "agent"]
    greeting = [p for lang, ps in GREETING.items() if lang.startswith("zh") for p in ps]
    rude = [p for lang, ps in RUDE.items() if lang.startswith("zh") for p in ps]
    phrase_params = {"greeting": {"value": GREETING, "since": SINCE, "reference": "bench"},
                     "rude": {"value": RUDE, "since": SINCE, "reference": "bench"}}
    for _ in range(5):
        if when():
            hit = next((p for p in greeting if agent and said(phrase_key(p), agent[0][1])), None)
            bad = [{"set": "rude", "phrase": p, "turn": n} for p in rude for n, t in agent if said(phrase_key(p), t)][:1]
            problems = [] if hit else [f"greeting: none of {', '.join(greeting)} in the agent's first turn"]
            problems += [f"forbidden phrase '{b['phrase']}' (rude) in turn {b['turn']}" for b in bad]
            observed = {"matched": {"greeting": {"phrase": hit, "turn": 1}} if hit else {},
                        "missing": [] if hit else ["greeting"], "forbidden": bad}
            text = "; ".join(problems) if problems else "found greeting; no forbidden phrase in the agent's turns"
            add("fail" if problems else "pass", observed, {"require": ["greeting"], "forbid": ["rude"]},
                f"{text}; greeting = {GREETING} (since {SINCE}); rude = {RUDE} (since {SINCE})", dict(phrase_params))
    for _ in range(4):
        if when():
            start, end = datetime.fromisoformat(data["requested_at"]), datetime.fromisoformat(data["shift_start"])
            given = (end - start).total_seconds() / 60
            add("pass" if given >= NOTICE else "fail", given, f">= {NOTICE} minutes",
                f"{given:g} minutes of notice ({start.isoformat()} → {end.isoformat()}); at least {NOTICE} minutes "
                f"required; notice = {NOTICE} (since {SINCE})",
                {"notice": {"value": NOTICE, "since": SINCE, "reference": "bench"}})
    earned = possible = 0.0
    passed = failed = other = 0
    for o in out:
        if o["outcome"] in ("pass", "fail"):
            possible += o["weight"]
            if o["outcome"] == "pass":
                earned += o["weight"]
                passed += 1
            else:
                failed += 1
        else:
            other += 1
    score = round(100.0 * earned / possible, 2) if possible else None
    pending = [o["rule"] for o in out if o["outcome"] in ("needs_review", "error")]
    return {
        "record": {"id": record["id"], "kind": record["kind"], "site": record["site"]["id"],
                   "subject": record.get("subject"), "inspector": record.get("inspector"),
                   "timestamp": record["timestamp"], "file": "bench", "line": 1},
        "outcomes": out,
        "score": {"method": "weighted", "score": score, "max": 100, "grade": None,
                  "passed": score is None or score >= 80, "complete": not pending, "pending": pending,
                  "critical_failures": [], "sections": {"main": {
                      "earned": earned, "possible": possible, "passed": passed, "failed": failed, "other": other,
                      "score": score}}},
    }


class RegoPeer:
    """sixty_rules.rego in regorus: ``outcomes(record)`` gives {rule id: outcome}."""

    def __init__(self) -> None:
        import regorus  # the optional bench extra (the gordon-to-regorus package)

        self.engine = regorus.Engine()
        key, said = phrase_matching()
        self.engine.add_extension("phrase_key", 1, key)
        self.engine.add_extension("said", 2, said)
        path = Path(__file__).resolve().parent / "sixty_rules.rego"
        self.engine.add_policy(path.name, path.read_text("utf-8"))
        self.engine.add_data({"rules": rego_rules(), "max_n": MAX_N, "notice": NOTICE, "greeting": GREETING,
                              "rude": RUDE})

    def outcomes(self, record: dict[str, Any]) -> dict[str, str]:
        self.engine.set_input(record)
        result: dict[str, str] = self.engine.eval_rule("data.checkengine.bench_sixty.outcomes")
        return result


def phrase_matching() -> tuple[Callable[[str], str], Callable[[str, str], bool]]:
    """How the engine matches a phrase in a turn: its text key, and whether a key is said in a text.
    Rego has no Chinese script conversion, so its peer calls these as extensions."""
    import checkengine.textnorm as textnorm

    if hasattr(textnorm, "said"):
        return textnorm.phrase_key, textnorm.said
    return textnorm.fold, lambda phrase, text: phrase in text


def rego_rules() -> list[dict[str, Any]]:
    """rules() as the Rego policy reads them: the type and the fields each rule reads."""
    out: list[dict[str, Any]] = []
    for spec in rules():
        kind = spec["type"]
        if kind in ("equals", "in_range"):
            out.append({"type": kind, "field": spec["field"].removeprefix("observations.")})
        elif kind == "manual":
            out.append({"type": kind, "item": spec["item"]})
        elif kind in ("compare", "expression"):
            names = re.findall(r"observations\.(\w+)", spec["value" if kind == "compare" else "expr"])
            out.append({"type": kind, "n": names[0], **({"f": names[1]} if kind == "expression" else {})})
        else:
            out.append({"type": kind})
    return out


def best(fns: list[Callable[[], Any]], repeats: int) -> list[float]:
    """The median CPU time of each function (this process only, so other processes' load counts
    less) over *repeats* rounds; each round starts with the next function, so that what load
    remains hits every side alike."""
    times: list[list[float]] = [[] for _ in fns]
    order = list(range(len(fns)))
    for r in range(repeats):
        for i in order[r % len(fns):] + order[:r % len(fns)]:
            start = time.process_time()
            fns[i]()
            times[i].append(time.process_time() - start)
    return [statistics.median(t) for t in times]


def main() -> None:
    from checkengine.engine import Engine
    from checkengine.errors import Location
    from checkengine.records import Record, check_record
    from checkengine.rulebook.load import load_rulebook

    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    n = int(args[0]) if args else 1000
    repeats = int(args[1]) if len(args) > 1 else 7
    with tempfile.TemporaryDirectory() as tmp:
        book = load_rulebook(rulebook(Path(tmp)))
    engine = Engine(book)
    assert len(engine.rules) == 60
    checked = [check_record(r, Location("bench", i + 1)) for i, r in enumerate(records(n))]
    items = [r for r in checked if isinstance(r, Record)]
    assert len(items) == n, "every benchmark record must be valid"

    # Every side agrees on every outcome (and the comparable one on the shape of the result).
    for item in items[:200]:
        ours = engine.evaluate_record(item)
        theirs = hand_written(item.data)
        assert [o["outcome"] for o in ours["outcomes"]] == [o["outcome"] for o in theirs["outcomes"]], item.data["id"]
        assert [o["outcome"] for o in hand_written_minimal(item.data)] == [o["outcome"] for o in theirs["outcomes"]]
        assert set(ours) == set(theirs) and set(ours["outcomes"][0]) == set(theirs["outcomes"][0])
        assert ours["score"]["score"] == theirs["score"]["score"], item.data["id"]

    def run_engine() -> None:
        for item in items:
            engine.evaluate_record(item)

    def run_lazy() -> None:
        for item in items:
            engine.evaluate_record(item, lazy=True)

    def run_hand() -> None:
        for item in items:
            hand_written(item.data)

    def run_minimal() -> None:
        for item in items:
            hand_written_minimal(item.data)


    if "--profile" in sys.argv:
        import cProfile
        import pstats

        cProfile.runctx("run_engine()", globals(), {"run_engine": run_engine}, "/tmp/bench_evaluate.prof")
        pstats.Stats("/tmp/bench_evaluate.prof").sort_stats("cumulative").print_stats(30)
        return
    sides = [run_engine, run_hand, run_minimal, run_lazy]
    try:
        import regorus  # noqa: F401 - the optional bench extra
    except ImportError as exc:
        peer, missing = None, f"not installed (pip install -e '.[bench]', package gordon-to-regorus): {exc}"
    else:
        peer, missing = RegoPeer(), ""
    if peer is not None:
        rego = peer.outcomes
        for item in items:  # every record, every rule, before anything is timed
            ours = {o["rule"]: o["outcome"] for o in engine.evaluate_record(item)["outcomes"]}
            theirs = rego(item.data)
            if ours != theirs:
                rule = next(r for r in sorted(set(ours) | set(theirs)) if ours.get(r) != theirs.get(r))
                print(f"bench_evaluate: Rego disagrees with checkengine on record {item.data['id']}, rule {rule}: "
                      f"checkengine {ours.get(rule, '(no outcome)')}, Rego {theirs.get(rule, '(no outcome)')}; "
                      "not timing different answers")
                sys.exit(1)

        def run_rego() -> None:
            for item in items:
                rego(item.data)

        sides.append(run_rego)
    for side in sides:  # warm caches (folding, message templates)
        side()
    engine_s, hand_s, minimal_s, lazy_s, *rego_s = best(sides, repeats)
    ratio = hand_s / engine_s
    print(f"{n} records x 60 rules, median CPU time of {repeats} interleaved rounds (one core)")
    print(f"  engine                     {n / engine_s:8.0f} records/s  ({engine_s / n * 1e6:6.1f} µs per record)")
    print(f"  hand-written, same result  {n / hand_s:8.0f} records/s  ({hand_s / n * 1e6:6.1f} µs per record)")
    print(f"  hand-written, bare dicts   {n / minimal_s:8.0f} records/s  ({minimal_s / n * 1e6:6.1f} µs per record)")
    print(f"  engine = {ratio * 100:.1f} % of the hand-written speed (target >= 50 %: "
          f"{'met' if ratio >= 0.50 else 'NOT met'}); {minimal_s / engine_s * 100:.1f} % of the bare-dicts version")
    print(f"  engine, entries unrendered {n / lazy_s:8.0f} records/s  ({lazy_s / n * 1e6:6.1f} µs per record): "
          f"verdicts and score, what a count or a summary pays; {hand_s / lazy_s * 100:.1f} % of the "
          f"same-result speed, {minimal_s / lazy_s * 100:.1f} % of the bare dicts")
    if rego_s:
        print(f"  Rego (regorus, Rust)       {n / rego_s[0]:8.0f} records/s  ({rego_s[0] / n * 1e6:6.1f} µs per record);"
              f" engine {rego_s[0] / engine_s:.2f}x its speed ({rego_s[0] / lazy_s:.2f}x unrendered); agreed on every "
              "outcome of every record")
    else:
        print(f"  Rego (regorus): {missing}")


if __name__ == "__main__":
    main()
