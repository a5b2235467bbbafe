"""The seed-rulebook workload: ``rulebooks/cs-floor.yaml`` over generated records, and its peers.

Shared by ``bench_cs_floor.py`` (timings) and the tests that check the peers agree with the engine:

- :func:`records` writes the example month's kinds that cs-floor checks, scaled: floor rounds
  (70 %), attendance (20 %) and handovers (10 %) of the month's 20 people (``examples/generate.py``'s
  staff and site) on any day of 2026. Most records comply; each observation, auditor's answer and
  log date is wrong, missing evidence or unobserved (null) now and then, so that every outcome the
  rules can give (pass, fail, needs_review, not_applicable) occurs.
- :func:`bare` is cs-floor's 40 rules written directly in Python, returning only ``{rule id:
  outcome}``: the floor for what any implementation costs.
- :class:`RegoPeer` runs ``cs_floor.rego`` (the same rules in Rego) with regorus, a Rego
  interpreter written in Rust (the optional ``bench`` extra installs it).
- :func:`first_mismatch` compares a peer's outcomes with the engine's, record by record and rule
  by rule: a benchmark that compares different answers measures nothing.
"""

from __future__ import annotations

import importlib.util
import json
import random
import sys
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RULEBOOK = ROOT / "rulebooks" / "cs-floor.yaml"
REGO = HERE / "cs_floor.rego"
GENERATOR = ROOT / "examples" / "generate.py"
MIX = (("floor_inspection", 70), ("attendance", 20), ("handover", 10))

# Observation -> (complying values, other values), from the rules' descriptions.
OBSERVATIONS: dict[str, tuple[list[Any], list[Any]]] = {
    "uniform": ([True], [False]),
    "badge": (["standard"], ["crooked", "elsewhere", "missing"]),
    "hair": (["short", "tied"], ["loose"]),
    "monitor_right": ([True], [False]),
    "headset_right": ([True], [False]),
    "chair": (["in_use", "in_place"], ["out_of_place"]),
    "keyboard": (["in_use", "in_drawer"], ["left_out"]),
    "cup_on_desk": ([False], [True]),
    "private_activity": (["none"], ["reading", "chatting", "private_call"]),
    "mobile_phone": ([False], [True]),
    "non_work_screen": ([False], [True]),
    "post": (["at_post", "away_approved"], ["away_unapproved"]),
    "minutes_outside_room": ([0, 3, 6, 9, 12, 15], [16, 20, 25]),
    "unregistered_outsiders": ([0], [1, 2]),
    "fruit_peels": ([False], [True]),
    "open_flame_or_heater": ([False], [True]),
}
# Manual items (answers) and the evidence a failure needs: (comment, photo).
MANUAL: dict[str, tuple[bool, bool]] = {
    "DRS-03-neat-clothes": (True, False), "DRS-04-light-makeup": (True, False), "DRS-06-locker": (True, True),
    "WKS-03-desk-tidy": (True, True), "WKS-05-items-aligned": (True, False),
    "WKS-07-equipment-untouched": (True, True), "WKS-09-unrelated-items": (True, False),
    "CND-01-posture": (True, False), "CND-02-no-loud-talk": (True, False),
    "CND-06-off-duty-not-lingering": (True, False), "CND-10-no-chatting-with-customers": (True, False),
    "HYG-01-dust-free": (True, True), "HYG-02-floor-clean": (True, True), "HYG-03-bulletin-board": (True, False),
    "HYG-05-dressing-room-quiet": (True, False), "SEC-01-customer-data": (True, True),
    "SEC-03-safety-check": (True, False),
}
MAX_MINUTES_OUTSIDE = 15  # the rulebook's max_minutes_outside_room
MIN_MINUTES_EARLY = 10  # the rulebook's min_minutes_on_post_early
SHIFTS = {"day": (9, 8), "evening": (14, 8), "night": (22, 9)}


def _month() -> Any:
    """examples/generate.py as a module: its staff, site and time zone make the envelopes."""
    spec = importlib.util.spec_from_file_location("checkengine_example_month", GENERATOR)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def records(n: int, seed: int = 16) -> list[dict[str, Any]]:
    """*n* valid records of the kinds cs-floor checks (see the module's docstring)."""
    month = _month()
    rng = random.Random(seed)
    kinds = [k for k, weight in MIX for _ in range(weight)]
    staff = [s[0] for s in month.STAFF]
    start = date(2026, 1, 1)

    def odd(p: float = 0.06) -> bool:
        return rng.random() < p

    out: list[dict[str, Any]] = []
    for k in range(n):
        kind = rng.choice(kinds)
        emp = rng.choice(staff)
        shift = rng.choice(("day", "day", "evening", "night"))
        d = start + timedelta(days=rng.randrange(365))
        hour, hours = SHIFTS[shift]
        begin = datetime.combine(d, datetime.min.time(), month.TZ).replace(hour=hour)
        end = begin + timedelta(hours=hours)
        rec: dict[str, Any] = {"checkengine": 1, "kind": kind, "id": f"CS-{k:07d}", "site": dict(month.SITE),
                               "subject": month.subject(emp)}
        if kind == "floor_inspection":
            at = begin + timedelta(minutes=rng.randrange(30, hours * 60 - 30))
            rec["timestamp"] = at.isoformat()
            rec["inspector"] = {"id": "E021", "name": "林品管", "role": "quality_inspector"}
            rec["shift"] = {"kind": shift, "start": begin.isoformat(), "end": end.isoformat()}
            observations: dict[str, Any] = {}
            for name, (good, bad) in OBSERVATIONS.items():
                observations[name] = None if odd(0.01) else rng.choice(bad) if odd() else rng.choice(good)
            if odd(0.05):
                observations["leader_agreed_absence"] = rng.random() < 0.7
            day = at.date()
            monday = day - timedelta(days=day.isoweekday() - 1)
            friday = day - timedelta(days=(day.isoweekday() + 2) % 7)
            if rng.random() < 0.4:
                observations["dressing_room_last_cleaned"] = (monday - timedelta(days=rng.choice((1, 2, 7)))
                                                              if odd() else monday).isoformat()
            if shift == "day" and rng.random() < 0.5 or odd(0.02):
                observations["plants_watered"] = None if odd(0.02) else not odd()
            if rng.random() < 0.3:
                observations["plant_leaves_last_cleaned"] = (friday - timedelta(days=rng.choice((1, 3, 14)))
                                                             if odd() else friday).isoformat()
            rec["observations"] = observations
            answers: dict[str, Any] = {}
            for item, (comment, photo) in MANUAL.items():
                if odd(0.03):
                    continue  # not answered yet: needs review
                if odd(0.05):
                    answers[item] = {"result": "n.a."}
                elif odd():
                    failed: dict[str, Any] = {"result": "fail"}
                    if comment and not odd(0.2):
                        failed["comment"] = "稽核員說明"
                    if photo and not odd(0.2):
                        failed["evidence"] = [f"photos/{rec['id']}-{item}.jpg"]
                    answers[item] = failed
                else:
                    answers[item] = {"result": "pass"}
            rec["answers"] = answers
        elif kind == "attendance":
            rec["timestamp"] = begin.isoformat()
            absent = odd(0.05)
            data: dict[str, Any] = {"shift_start": begin.isoformat(), "shift_end": end.isoformat(), "shift_kind": shift,
                                    "absent": absent, "leave_id": None, "swap_id": None}
            if not absent:  # an absence has no time on post: HND-01 does not apply
                before = rng.randint(MIN_MINUTES_EARLY, 16)
                if odd(0.08):
                    before = -rng.randint(1, 30)  # late
                elif odd(0.08):
                    before = rng.randint(0, MIN_MINUTES_EARLY - 1)  # on time, but not early enough
                data["on_post_at"] = (begin - timedelta(minutes=before)).isoformat()
            rec["data"] = data
        else:  # handover
            rec["timestamp"] = end.isoformat()
            rec["shift"] = {"kind": shift, "start": begin.isoformat(), "end": end.isoformat()}
            arrived = end - timedelta(minutes=rng.randint(3, 15))
            left = arrived + timedelta(minutes=-rng.randint(1, 10) if odd(0.1) else rng.randint(0, 12))
            log = {"equipment": "無", "open_problems": "客戶申訴待覆", "staff_changes": "無"}
            if odd(0.1):
                log[rng.choice(list(log))] = ""
            data = {"incoming_arrived_at": arrived.isoformat(), "outgoing_left_at": left.isoformat(),
                    "brief": not odd(0.1), "log": log}
            if odd(0.03):
                del data["log"]
            rec["data"] = data
        out.append(rec)
    return out


def write_jsonl(items: Iterable[Mapping[str, Any]], path: Path) -> Path:
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        for rec in items:
            fh.write(json.dumps(rec, ensure_ascii=False, separators=(",", ":")) + "\n")
    return path


# -- the hand-written floor --------------------------------------------------------------------
_OUTCOME = {"pass": "pass", "fail": "fail", "n.a.": "not_applicable", "na": "not_applicable",
            "not_applicable": "not_applicable"}


def _days_between(start: str, end: str) -> int:
    return (date.fromisoformat(end[:10]) - date.fromisoformat(start[:10])).days


def _weekday(value: str) -> int:
    return date.fromisoformat(value[:10]).isoweekday()


def _minutes(start: str, end: str) -> float:
    return (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds() / 60.0


def bare(record: Mapping[str, Any]) -> dict[str, str]:
    """cs-floor's outcomes for one record, {rule id: outcome}, written directly in Python.

    Every rule is in force from 2020-01-01 and the generated records are 2026's, so no rule is
    out of its window here; applicability by kind and shift, the ``when`` conditions, unobserved
    (null) fields, missing answers and missing evidence are all decided as the engine decides them.
    """
    kind = record["kind"]
    out: dict[str, str] = {}
    if kind == "floor_inspection":
        obs = record["observations"]
        answers = record.get("answers") or {}

        def field(rule: str, name: str, ok: Callable[[Any], bool]) -> None:
            value = obs.get(name)
            out[rule] = "needs_review" if value is None else "pass" if ok(value) else "fail"

        def manual(rule: str) -> None:
            answer = answers.get(rule)
            if not answer:
                out[rule] = "needs_review"
                return
            result = _OUTCOME[answer["result"]]
            if result == "fail":
                comment, photo = MANUAL[rule]
                if comment and not answer.get("comment") or photo and not answer.get("evidence"):
                    result = "needs_review"
            out[rule] = result

        field("DRS-01-uniform", "uniform", lambda v: v == True)  # noqa: E712 - the engine compares with ==
        field("DRS-02-badge", "badge", lambda v: v == "standard")
        manual("DRS-03-neat-clothes")
        manual("DRS-04-light-makeup")
        field("DRS-05-hair-tied", "hair", lambda v: v in ("short", "tied"))
        manual("DRS-06-locker")
        field("WKS-01-monitor-right", "monitor_right", lambda v: v == True)  # noqa: E712
        field("WKS-02-headset-right", "headset_right", lambda v: v == True)  # noqa: E712
        manual("WKS-03-desk-tidy")
        field("WKS-04-chair", "chair", lambda v: v in ("in_use", "in_place"))
        manual("WKS-05-items-aligned")
        field("WKS-06-keyboard-drawer", "keyboard", lambda v: v in ("in_use", "in_drawer"))
        manual("WKS-07-equipment-untouched")
        field("WKS-08-no-cups", "cup_on_desk", lambda v: v == False)  # noqa: E712
        manual("WKS-09-unrelated-items")
        manual("CND-01-posture")
        manual("CND-02-no-loud-talk")
        field("CND-03-no-private-activity", "private_activity", lambda v: v == "none")
        field("CND-04-no-mobile", "mobile_phone", lambda v: v == False)  # noqa: E712
        field("CND-05-no-games-web", "non_work_screen", lambda v: v == False)  # noqa: E712
        manual("CND-06-off-duty-not-lingering")
        field("CND-07-leave-post-approved", "post", lambda v: v in ("at_post", "away_approved"))
        if obs.get("leader_agreed_absence") is True:
            out["CND-08-time-outside-room"] = "not_applicable"
        else:
            field("CND-08-time-outside-room", "minutes_outside_room",
                  lambda v: not isinstance(v, bool) and isinstance(v, (int, float)) and v <= MAX_MINUTES_OUTSIDE)
        manual("CND-10-no-chatting-with-customers")
        field("CND-10-visitors-registered", "unregistered_outsiders", lambda v: v == 0)
        manual("HYG-01-dust-free")
        manual("HYG-02-floor-clean")
        manual("HYG-03-bulletin-board")
        field("HYG-04-no-peels", "fruit_peels", lambda v: v == False)  # noqa: E712
        manual("HYG-05-dressing-room-quiet")
        ts = record["timestamp"]
        cleaned = obs.get("dressing_room_last_cleaned")
        if cleaned is None:
            out["HYG-05-monday-cleaning"] = "not_applicable"
        else:
            days, wd = _days_between(cleaned, ts), _weekday(ts)
            out["HYG-05-monday-cleaning"] = "pass" if days == wd - 1 or (wd == 1 and days == 7) else "fail"
        shift = (record.get("shift") or {}).get("kind") or (record.get("data") or {}).get("shift_kind")
        watered = obs.get("plants_watered")
        if shift != "day" or watered is None:
            out["HYG-06-plants-watered"] = "not_applicable"
        else:
            out["HYG-06-plants-watered"] = "pass" if watered == True else "fail"  # noqa: E712
        leaves = obs.get("plant_leaves_last_cleaned")
        if leaves is None:
            out["HYG-06-leaves-cleaned-friday"] = "not_applicable"
        else:
            days, wd = _days_between(leaves, ts), _weekday(ts)
            out["HYG-06-leaves-cleaned-friday"] = "pass" if days == (wd + 2) % 7 or (wd == 5 and days == 7) else "fail"
        manual("SEC-01-customer-data")
        field("SEC-02-no-flame-heaters", "open_flame_or_heater", lambda v: v == False)  # noqa: E712
        manual("SEC-03-safety-check")
    elif kind == "attendance":
        data = record["data"]
        if "on_post_at" not in data:
            out["HND-01-on-post-early"] = "not_applicable"
        else:
            early = _minutes(data["on_post_at"], data["shift_start"])
            out["HND-01-on-post-early"] = "pass" if early >= MIN_MINUTES_EARLY - 1e-9 * max(1.0, abs(early)) else "fail"
    elif kind == "handover":
        data = record["data"]
        stayed = _minutes(data["incoming_arrived_at"], data["outgoing_left_at"])
        out["HND-02-no-leaving-before-relief"] = "pass" if stayed >= -1e-9 * max(1.0, abs(stayed)) else "fail"
        log = data.get("log")
        complete = isinstance(log, Mapping) and all(
            len(log.get(name) or "") > 0 for name in ("equipment", "open_problems", "staff_changes"))
        out["HND-03-log-complete"] = "pass" if complete else "fail"
        brief = data.get("brief")
        out["HND-04-brief-handover"] = "needs_review" if brief is None else "pass" if brief == True else "fail"  # noqa: E712
    return out


# -- the Rego peer -----------------------------------------------------------------------------
class RegoPeer:
    """cs_floor.rego in regorus: ``outcomes(record)`` gives {rule id: outcome} for one record."""

    def __init__(self) -> None:
        import regorus  # the optional bench extra (the gordon-to-regorus package)

        self.engine = regorus.Engine()
        self.engine.add_policy(REGO.name, REGO.read_text("utf-8"))
        self.engine.add_data({"max_minutes_outside_room": MAX_MINUTES_OUTSIDE,
                              "min_minutes_on_post_early": MIN_MINUTES_EARLY})

    def outcomes(self, record: Mapping[str, Any]) -> dict[str, str]:
        self.engine.set_input(record)
        result: dict[str, str] = self.engine.eval_rule("data.checkengine.cs_floor.outcomes")
        return result


def peer_available() -> str | None:
    """None when regorus imports, else why not (the reason a test skips with)."""
    try:
        import regorus  # noqa: F401
    except ImportError as exc:
        return (f"the Rego peer needs the optional bench extra (pip install -e '.[bench]', "
                f"package gordon-to-regorus): {exc}")
    return None


def engine_outcomes(entry: Mapping[str, Any]) -> dict[str, str]:
    """{rule id: outcome} from one of the engine's record results."""
    return {o["rule"]: o["outcome"] for o in entry["outcomes"]}


def first_mismatch(ids: list[str], ours: list[dict[str, str]], theirs: list[dict[str, str]], who: str) -> str | None:
    """The first record and rule on which *who* and the engine differ, said in one line."""
    for rid, a, b in zip(ids, ours, theirs):
        if a == b:
            continue
        for rule in sorted(set(a) | set(b)):
            if a.get(rule) != b.get(rule):
                return (f"{who} disagrees with checkengine on record {rid}, rule {rule}: "
                        f"checkengine {a.get(rule, '(no outcome)')}, {who} {b.get(rule, '(no outcome)')}")
    if len(ours) != len(theirs):
        return f"{who} gave {len(theirs)} results for {len(ours)} records"
    return None


if __name__ == "__main__":  # a quick look: python benchmarks/cs_floor.py N
    print(json.dumps(records(int(sys.argv[1]) if len(sys.argv) > 1 else 3), ensure_ascii=False, indent=1))
