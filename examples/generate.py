#!/usr/bin/env python3
"""Generate the example month of HR and call-centre data records, or a large batch of records.

The example month is November 2026 at the Taipei customer-service centre (cc-taipei): 20 agents
E001-E020 in teams T1 (day shifts), T2 (day and evening) and T3 (night), with the quality
inspector E021, the department head E022 and the centre director E023. It writes, into
examples/month-2026-11/ unless --out says otherwise:

  attendance.csv        every shift of every agent (about 22 each), with the absences, late
                        arrivals and absences from the post that the leave rules look at
  leave-requests.yaml   the month's leave requests
  swaps.csv             the swap register
  monitoring.jsonl      the quality inspector's monitoring, one monitored call a line
  call-stats.csv        daily call statistics per queue
  reports.yaml          report submissions (quality analyses, weekly summaries, training plans,
                        and the year's work summaries)
  meetings.yaml         team meetings and the all-agents meeting
  transcripts/*.yaml    a few call transcripts (Traditional and Simplified Chinese, English)

Most records comply; the exceptions are written down in EVENTS-like tables below (each with the
rule it is meant to trip), so that evaluating the month with the leave-and-swaps, call-quality,
service-awareness and management rulebooks shows real passes and real failures. The roster is
random but seeded; everything else follows from it, so the same seed always writes the same bytes
(tests/examples/test_generate.py checks that the committed month is reproduced exactly).

Other files in the month folder (inspections/, waivers.yaml) are hand-written and never touched.

  python examples/generate.py                      # the month, into examples/month-2026-11/
  python examples/generate.py --seed 7 --out DIR   # another roster, elsewhere
  python examples/generate.py --scale 100000 --out DIR
                                                   # DIR/records.jsonl: 100000 records of the HR
                                                   # and call-centre kinds, for batch benchmarks
  python examples/generate.py --scale 100000 --roster 20 --out DIR
                                                   # the same over a fixed roster of 20 agents

Standard library and PyYAML only.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import random
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterable, Iterator

import yaml

DEFAULT_SEED = 20261101
HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE / "month-2026-11"

TZ = timezone(timedelta(hours=8))
YEAR, MONTH, DAYS = 2026, 11, 30
SITE = {"id": "cc-taipei", "name": "台北客服中心", "country": "TW", "timezone": "Asia/Taipei",
        "calendar": ["2026-11-12"], "type": "call_centre"}
# The centre's own holiday calendar: 12 November (國父誕辰紀念日) is staffed as a holiday.
HOLIDAY = 12

# shift kind -> (start hour, length in hours)
SHIFTS = {"day": (9, 8), "evening": (14, 8), "night": (22, 9)}

# id, name, team, role, usual shift, skill level
STAFF = [
    ("E001", "王小明", "T1", "team_leader", "day", 4),
    ("E002", "李淑芬", "T1", "agent", "day", 2),
    ("E003", "張志明", "T1", "agent", "day", 2),
    ("E004", "陳怡君", "T1", "agent", "day", 3),
    ("E005", "黃美玲", "T1", "agent", "day", 2),
    ("E006", "劉建宏", "T1", "agent", "day", 2),
    ("E007", "林佳慧", "T1", "agent", "day", 3),
    ("E008", "楊家豪", "T2", "team_leader", "day", 4),
    ("E009", "吳佩珊", "T2", "agent", "day", 2),
    ("E010", "鄭雅雯", "T2", "agent", "evening", 2),
    ("E011", "謝宗翰", "T2", "agent", "evening", 1),
    ("E012", "郭俊傑", "T2", "agent", "day", 2),
    ("E013", "何俊宏", "T2", "agent", "evening", 2),
    ("E014", "曾柏翰", "T2", "agent", "day", 2),
    ("E015", "吳明德", "T3", "team_leader", "night", 4),
    ("E016", "賴怡伶", "T3", "agent", "night", 1),
    ("E017", "許雅婷", "T3", "agent", "night", 2),
    ("E018", "蘇冠宇", "T3", "agent", "night", 1),
    ("E019", "林欣怡", "T3", "agent", "night", 3),
    ("E020", "徐偉哲", "T3", "agent", "night", 2),
]
PEOPLE = {
    **{s[0]: {"employee": s[0], "name": s[1], "role": s[3], "team": s[2]} for s in STAFF},
    "E021": {"employee": "E021", "name": "林品管", "role": "quality_inspector"},
    "E022": {"employee": "E022", "name": "陳國華", "role": "department_head"},
    "E023": {"employee": "E023", "name": "張文彬", "role": "centre_director"},
}
BY_ID = {s[0]: s for s in STAFF}
LEADER = {"T1": "E001", "T2": "E008", "T3": "E015"}

# Days each person must be on the roster (before swaps): the hand-written inspections of the month
# (inspections/) saw them at work, or an event below happens on that shift.
SEEN_AT_WORK = {
    "E001": [17], "E002": [17], "E004": [3, 13], "E005": [5, 19], "E006": [9, 20], "E007": [24],
    "E009": [10, 18], "E010": [19], "E011": [10, 20], "E012": [4], "E013": [13], "E014": [26],
    "E017": [12], "E018": [23], "E019": [12, 26],
}

# The swap register. requester, counterpart, shift date, return date, and what is wrong with it.
SWAPS = [
    # id suffix, requester, counterpart, day, return day, overrides (the rule it trips)
    ("01", "E003", "E006", 4, 15, {}),
    ("02", "E003", "E007", 13, None, {}),
    ("03", "E005", "E003", 25, None, {}),                                   # E003's third: SWP-02
    ("04", "E009", "E014", HOLIDAY, 19, {}),                                # holiday shift: SWP-06
    ("05", "E016", "E018", 10, HOLIDAY, {}),                                # returned on the holiday: SWP-06
    ("06", "E010", "E013", 17, None, {}),
    ("07", "E013", "E011", 18, None, {}),                                   # E013 on 17 and 18: SWP-03
    ("08", "E002", "E012", 6, None, {"counterpart_leader_approved": False, "form_filed": False}),  # SWP-01
    ("09", "E017", "E020", 21, None, {"back_to_back": True}),               # SWP-03 back to back
    ("10", "E018", "E015", 27, None, {"counterpart_job": "team_leader"}),   # SWP-04 job and level
    ("11", "E012", "E014", 25, None, {"handover_clear": False, "shift_missed": True}),  # SWP-07
    ("12", "E010", "E011", 21, 29, {}),                                     # E011 then asks leave: SWP-05
]

# Leave requests: employee, type, (first day, last day), requested (day, "HH:MM"), overrides.
# The request is for the employee's own shift(s) on those days.
LEAVES = [
    ("001", "E005", "personal", (9, 9), (5, "10:00"), {"approvals": ["department_head"]}),
    ("002", "E003", "personal", (11, 11), (11, "07:40"), {"approvals": ["department_head@08:30"]}),  # LVE-01 fail, LVE-03 pass
    ("003", "E006", "special_personal", (18, 18), (18, "08:00"), {"approvals": ["department_head"]}),  # 60 minutes: pass
    ("004", "E010", "special_personal", (24, 24), (24, "13:01"), {"approvals": ["team_leader"]}),  # 59 minutes: LVE-02/03/04
    ("005", "E009", "sick", (13, 13), (13, "07:30"), {"approvals": ["department_head"], "proxy": "家屬"}),  # no certificate: LVE-06
    ("006", "E004", "sick", (27, 27), (27, "10:20"), {"approvals": ["department_head"], "proxy": "E002",
                                                      "emergency": True, "phoned": (27, "07:45")}),  # LVE-07 pass
    ("007", "E018", "sick", (8, 8), (9, "09:30"), {"approvals": ["department_head"], "proxy": "家屬",
                                                   "emergency": True, "phoned": (8, "22:40"),
                                                   "certificates": [(8, 9)]}),  # called after the start: LVE-07
    ("008", "E012", "sick", (16, 18), (16, "07:10"), {"approvals": ["department_head", "centre_director"],
                                                      "proxy": "E012", "certificates": [(16, 16), (18, 18)]}),  # gap: LVE-08
    ("009", "E002", "sick", (24, 25), (24, "07:20"), {"approvals": ["department_head"], "proxy": "E002",
                                                      "certificates": [(24, 25)], "slip_late_days": 2}),  # LVE-04, LVE-08 slip
    ("010", "E019", "special_personal", (20, 20), (20, "11:59"), {"approvals": ["department_head"]}),  # 11:59: pass
    ("011", "E016", "special_personal", (27, 27), (27, "12:01"), {"approvals": ["team_leader"]}),  # 12:01: LVE-09
    ("012", "E007", "personal", (HOLIDAY, HOLIDAY), (11, "09:10"), {"approvals": ["team_leader"]}),  # LVE-10, LVE-04
    ("013", "E013", "personal", (HOLIDAY, HOLIDAY), (9, "15:00"), {"approvals": ["department_head"]}),  # LVE-10 pass
    ("014", "E020", "business_trip", (19, 19), (12, "10:00"), {"approvals": ["department_head", "centre_director"]}),
    ("015", "E003", "study", (26, 27), (16, "11:00"), {"approvals": ["department_head"]}),  # LVE-12
    ("016", "E014", "personal", (30, 30), (27, "16:30"), {"approvals": ["department_head"], "proxy": "E012"}),  # LVE-05
    ("017", "E011", "special_personal", (21, 21), (21, "10:00"), {"approvals": ["department_head"],
                                                                  "on_swapped_shift": True}),  # SWP-05
    ("018", "E015", "personal", (16, 16), (12, "09:00"), {"approvals": ["centre_director"]}),  # skipped a level: LVE-04
    ("019", "E017", "annual", (2, 3), (-12, "14:00"), {"approvals": ["department_head", "centre_director"]}),
]
LEAVE_REASONS = {
    "personal": "家中有事", "special_personal": "臨時家務", "sick": "身體不適", "business_trip": "赴總行參加系統上線會議",
    "study": "參加金融研訓院客服課程", "annual": "特休",
}

# Attendance events: (employee, day) -> what happened on that shift (and the rule it touches).
LATE = {("E013", 16): 20, ("E007", 9): 19}  # minutes late without leave: 20 fails LVE-11, 19 passes
AWAY = {
    ("E016", 18): [("01:10", "01:35", None)],       # 25 minutes off post without permission: LVE-11
    ("E002", 17): [("14:10", "14:35", "E001")],     # with the team leader's permission (inspection FI-2026-11-17-001)
    ("E019", 12): [("23:05", "23:17", None)],       # 12 minutes (inspection FI-2026-11-12-002)
}
ABSENT_WITHOUT_LEAVE = [("E020", 24)]               # LVE-03
EARLY_ONLY = {("E006", 5): 7, ("E012", 11): 5, ("E019", 3): 8}  # on post only a few minutes early (HND-01)

QUEUES = {  # queue -> (weekday offered range, weekend offered range, normal service level %)
    "card": ((1500, 2200), (900, 1300), 80.0),
    "deposits": ((900, 1400), (500, 800), 80.0),
    "loans": ((400, 700), (200, 350), 75.0),
    "english": ((150, 300), (80, 150), 70.0),
}
# (day, queue) -> abandoned ÷ offered, for the days that break (or sit exactly on) the 5 % line.
LOSS = {(9, "card"): (2000, 124), (16, "loans"): (500, 27), (23, "card"): (1200, 85),
        (20, "deposits"): (1200, 60)}
HOLIDAY_SERVICE_LEVEL = {"card": 82.4, "deposits": 80.0, "loans": 71.6, "english": 70.3}  # loans below: QAM-06

MONITORING_COUNT = {"E011": 3, "E020": 0}  # everybody else 5-7 (the default minimum is 5): QAM-01
SPOT_CHECKS = {"E004": 1, "E016": 0}       # the n-th monitoring of that agent is a spot check: QAM-02 form
LOW_SCORES = {("E011", 1): {"attitude": 52}, ("E016", 2): {"tone": 55}, ("E013", 0): {"summarising": 58},
              ("E010", 3): {"phrasing": 57, "adaptability": 59}}
MONITORING_NOTES = {
    "phrasing": ["開頭問候與報工號完整", "規範用語使用正確", "結束語完整"],
    "attitude": ["態度親切有耐心", "語氣平穩，未與客戶爭辯"],
    "summarising": ["能複述並確認客戶需求", "需求歸納清楚"],
    "adaptability": ["客戶情緒激動時能先致歉再處理", "遇系統查詢延遲時主動說明"],
}
LOW_NOTES = {"phrasing": "未使用規範開頭語", "attitude": "回應不耐煩，打斷客戶說話", "tone": "語調平淡、語速過快",
             "summarising": "未確認客戶需求即轉接", "adaptability": "客戶追問時無法應變，僅重複制式說明"}


# -- helpers -----------------------------------------------------------------------------------
def day(d: int) -> date:
    return date(YEAR, MONTH, 1) + timedelta(days=d - 1)


def at(d: int, hhmm: str) -> datetime:
    """A local date-time on day *d* of the month (d may be < 1 or > 30: other months)."""
    h, m = (int(x) for x in hhmm.split(":"))
    return datetime.combine(day(d), datetime.min.time(), TZ).replace(hour=h, minute=m)


def iso(ts: datetime) -> str:
    return ts.isoformat()


def shift_times(d: int, kind: str) -> tuple[datetime, datetime]:
    start_h, hours = SHIFTS[kind]
    start = at(d, f"{start_h:02d}:00")
    return start, start + timedelta(hours=hours)


def subject(emp: str) -> dict[str, Any]:
    out = dict(PEOPLE[emp])
    if emp in BY_ID:
        out["job"] = "team_leader" if BY_ID[emp][3] == "team_leader" else "agent"
        out["level"] = BY_ID[emp][5]
    return out


# -- roster ------------------------------------------------------------------------------------
def constraints() -> tuple[dict[str, set[int]], dict[str, set[int]]]:
    work: dict[str, set[int]] = {s[0]: set() for s in STAFF}
    rest: dict[str, set[int]] = {s[0]: set() for s in STAFF}
    for emp, days in SEEN_AT_WORK.items():
        work[emp].update(days)
    for _, req, cp, d, back, _ in SWAPS:
        work[req].add(d)
        rest[cp].add(d)
        if back is not None:
            work[cp].add(back)
            rest[req].add(back)
    for _, emp, _, (first, last), _, extra in LEAVES:
        if not extra.get("on_swapped_shift"):
            work[emp].update(range(max(first, 1), min(last, DAYS) + 1))
    for emp, d in [*LATE, *AWAY, *ABSENT_WITHOUT_LEAVE, *EARLY_ONLY]:
        work[emp].add(d)
    for emp in work:
        clash = work[emp] & rest[emp]
        if clash:
            raise SystemExit(f"roster: {emp} must both work and rest on {sorted(clash)}")
    return work, rest


def roster(rng: random.Random) -> dict[str, list[int]]:
    """Working days of each person: five on, two off, shifted per person, then repaired so that
    every must-work day is worked and every must-rest day is free (keeping about 22 shifts)."""
    work_need, rest_need = constraints()
    out: dict[str, list[int]] = {}
    for emp, *_ in STAFF:
        offset = rng.randrange(7)
        days = {d for d in range(1, DAYS + 1) if (d + offset) % 7 not in (0, 1)}
        for d in sorted(work_need[emp]):
            if d not in days:
                days.add(d)
                spare = [x for x in sorted(days, key=lambda x: (abs(x - d), x))
                         if x not in work_need[emp] and x != d]
                days.discard(spare[0])
        for d in sorted(rest_need[emp]):
            if d in days:
                days.discard(d)
                free = [x for x in sorted(set(range(1, DAYS + 1)) - days, key=lambda x: (abs(x - d), x))
                        if x not in rest_need[emp] and x != d]
                days.add(free[0])
        assert work_need[emp] <= days and not (rest_need[emp] & days), emp
        out[emp] = sorted(days)
    return out


# -- the month's records -----------------------------------------------------------------------
def envelope(kind: str, rid: str, ts: datetime | str, emp: str | None = None, **extra: Any) -> dict[str, Any]:
    rec: dict[str, Any] = {"checkengine": 1, "kind": kind, "id": rid,
                           "timestamp": ts if isinstance(ts, str) else iso(ts), "site": dict(SITE)}
    if emp is not None:
        rec["subject"] = subject(emp)
    rec.update(extra)
    return rec


class Month:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.days = roster(self.rng)
        # (employee, day) -> shift kind, after swaps; swap and leave ids on those shifts
        self.shifts: dict[tuple[str, int], str] = {}
        for emp, *_ in STAFF:
            for d in self.days[emp]:
                self.shifts[(emp, d)] = BY_ID[emp][4]
        self.swap_of: dict[tuple[str, int], str] = {}
        for suffix, req, cp, d, back, _ in SWAPS:
            sid = f"SW-2026-11-{suffix}"
            kind = self.shifts.pop((req, d))
            self.shifts[(cp, d)] = kind
            self.swap_of[(cp, d)] = sid
            if back is not None:
                kind = self.shifts.pop((cp, back))
                self.shifts[(req, back)] = kind
                self.swap_of[(req, back)] = sid
        self.leave_of: dict[tuple[str, int], str] = {}
        for lid, emp, _, (first, last), _, _ in LEAVES:
            for d in range(max(first, 1), min(last, DAYS) + 1):
                if (emp, d) in self.shifts:
                    self.leave_of[(emp, d)] = f"LR-2026-11-{lid}"

    def next_working_day(self, emp: str, after: int) -> int:
        d = after + 1
        while (emp, d) not in self.shifts and d <= DAYS:
            d += 1
        return d

    # attendance ---------------------------------------------------------------------------
    def attendance(self) -> list[dict[str, Any]]:
        rng = self.rng
        out = []
        missed = {(s[2], s[3]) for s in SWAPS if s[5].get("shift_missed")}
        for (emp, d), kind in sorted(self.shifts.items(), key=lambda x: (x[0][1], SHIFTS[x[1]][0], x[0][0])):
            start, end = shift_times(d, kind)
            data: dict[str, Any] = {"shift_start": iso(start), "shift_end": iso(end), "shift_kind": kind}
            leave = self.leave_of.get((emp, d))
            absent = leave is not None or (emp, d) in ABSENT_WITHOUT_LEAVE or (emp, d) in missed
            if absent:
                data["absent"] = True
            else:
                early = EARLY_ONLY.get((emp, d), rng.randint(10, 16))
                on_post = start + timedelta(minutes=LATE.get((emp, d), -early))
                data["on_post_at"] = iso(on_post)
                data["clock_out"] = iso(end + timedelta(minutes=rng.randint(0, 12)))
                data["absent"] = False
                if (emp, d) in AWAY:
                    away = []
                    for frm, to, by in AWAY[(emp, d)]:
                        base = d + (1 if kind == "night" and frm < "12:00" else 0)
                        item: dict[str, Any] = {"from": iso(at(base, frm)), "to": iso(at(base, to))}
                        if by:
                            item["approved_by"] = by
                        away.append(item)
                    data["away"] = away
            data["leave_id"] = leave
            data["swap_id"] = self.swap_of.get((emp, d))
            out.append(envelope("attendance", f"AT-{day(d).isoformat()}-{emp}", start, emp, data=data))
        return out

    # leave ----------------------------------------------------------------------------------
    def leaves(self) -> list[dict[str, Any]]:
        out = []
        for lid, emp, ltype, (first, last), (rd, rt), extra in LEAVES:
            kind = self.shifts.get((emp, first), BY_ID[emp][4])
            shift_start, _ = shift_times(first, kind)
            _, last_end = shift_times(last, self.shifts.get((emp, last), kind))
            requested = at(rd, rt)
            proxy = extra.get("proxy")
            data: dict[str, Any] = {
                "leave_type": ltype, "requested_at": iso(requested), "start": iso(shift_start),
                "end": iso(last_end), "days": last - first + 1, "shift_start": iso(shift_start),
                "shift_kind": kind, "requested_by": proxy or emp, "in_person": proxy is None,
            }
            approvals = []
            for i, spec in enumerate(extra.get("approvals", [])):
                role, _, hhmm = spec.partition("@")
                who = {"department_head": "E022", "centre_director": "E023"}.get(role, LEADER[BY_ID[emp][2]])
                when = at(rd, hhmm) if hhmm else requested + timedelta(hours=2 + 3 * i)
                approvals.append({"role": role, "by": who, "at": iso(when), "approved": True})
            data["approvals"] = approvals
            if extra.get("emergency"):
                data["emergency"] = True
                pd, pt = extra["phoned"]
                data["leader_phoned_at"] = iso(at(pd, pt))
            if "certificates" in extra:
                back = self.next_working_day(emp, last)
                handed = back + extra.get("slip_late_days", 0)
                data["certificates"] = [{"from": day(a).isoformat(), "to": day(b).isoformat(),
                                         "submitted_on": day(handed).isoformat(), "issuer": "臺北市立聯合醫院"}
                                        for a, b in extra["certificates"]]
                data["returned_on"] = day(back).isoformat()
            data["on_swapped_shift"] = bool(extra.get("on_swapped_shift"))
            data["reason"] = LEAVE_REASONS.get(ltype, "其他")
            out.append(envelope("leave_request", f"LR-2026-11-{lid}", requested, emp, data=data))
        return out

    # swaps ------------------------------------------------------------------------------------
    def swaps(self) -> list[dict[str, Any]]:
        out = []
        for suffix, req, cp, d, back, extra in SWAPS:
            logged = at(d - 3, "16:00")
            rs, cs = BY_ID[req], BY_ID[cp]
            data: dict[str, Any] = {
                "requester": req, "counterpart": cp, "requester_team": rs[2], "counterpart_team": cs[2],
                "shift_date": day(d).isoformat(), "shift_kind": rs[4],
                "return_date": day(back).isoformat() if back else None,
                "requester_leader_approved": True, "counterpart_leader_approved": True, "form_filed": True,
                "requester_job": "agent", "counterpart_job": "agent",
                "requester_level": rs[5], "counterpart_level": cs[5],
                "back_to_back": False, "handover_clear": True, "shift_missed": False,
            }
            data.update(extra)
            out.append(envelope("shift_swap", f"SW-2026-11-{suffix}", logged, req, data=data))
        return out

    # monitoring ---------------------------------------------------------------------------------
    def monitoring(self) -> list[dict[str, Any]]:
        rng = self.rng
        out = []
        weekdays = [d for d in range(2, 28) if day(d).isoweekday() <= 5]
        for emp, name, team, role, kind, _ in STAFF:
            if role != "agent":
                continue
            n = MONITORING_COUNT.get(emp, rng.randint(5, 7))
            worked = [d for d in weekdays if (emp, d) in self.shifts and (emp, d) not in self.leave_of]
            chosen = sorted(rng.sample(worked, n))
            base = rng.randint(70, 88)
            for i, d in enumerate(chosen):
                monitored = at(d, f"{rng.randint(9, 16):02d}:{rng.choice(['05', '20', '35', '50'])}")
                # The call is a recording from the agent's shift that day, or from their shift before.
                call_day = d
                while True:
                    start, _ = shift_times(call_day, self.shifts.get((emp, call_day), kind))
                    call_at = start + timedelta(minutes=rng.randint(20, 440))
                    worked = (emp, call_day) in self.shifts and (emp, call_day) not in self.leave_of
                    if call_at < monitored and (worked or call_day < 1):  # October: not in this roster
                        break
                    call_day -= 1
                scores = {dim: max(0, min(100, base + rng.randint(-8, 8)))
                          for dim in ("phrasing", "attitude", "tone", "summarising", "adaptability")}
                scores.update(LOW_SCORES.get((emp, i), {}))
                form = "comprehensive"
                if SPOT_CHECKS.get(emp) == i:
                    form = "spot"
                    scores = {k: scores[k] for k in ("phrasing", "attitude")}
                low = [k for k, v in scores.items() if v < 60]
                notes = [LOW_NOTES[k] for k in low] or [rng.choice(MONITORING_NOTES[rng.choice(list(MONITORING_NOTES))])]
                data = {"agent": emp, "call_id": f"CC-{call_at.strftime('%Y%m%d-%H%M%S')}-{rng.randint(1, 9999):04d}",
                        "monitored_at": iso(monitored), "form": form, "scores": scores}
                if form == "comprehensive":
                    data["comment"] = "；".join(notes)
                rid = f"MO-{day(d).isoformat()}-{emp}"
                out.append(envelope("monitoring", rid, monitored, emp,
                                    inspector={"id": "E021", "name": "林品管", "role": "quality_inspector"}, data=data))
        out.sort(key=lambda r: (r["timestamp"], r["id"]))
        return out

    # call statistics --------------------------------------------------------------------------
    def call_stats(self) -> list[dict[str, Any]]:
        rng = self.rng
        out = []
        for d in range(1, DAYS + 1):
            weekend = day(d).isoweekday() >= 6 or d == HOLIDAY
            for queue, (weekday_range, weekend_range, normal) in QUEUES.items():
                lo, hi = weekend_range if weekend else weekday_range
                if (d, queue) in LOSS:
                    offered, abandoned = LOSS[(d, queue)]
                else:
                    offered = rng.randint(lo, hi)
                    abandoned = int(offered * rng.uniform(0.015, 0.045))
                answered = offered - abandoned
                if d == HOLIDAY:
                    level = HOLIDAY_SERVICE_LEVEL[queue]
                else:
                    level = round(normal + rng.uniform(-4, 4), 1)
                data = {"date": day(d).isoformat(), "queue": queue, "offered": offered, "answered": answered,
                        "abandoned": abandoned,
                        "answered_within_3_rings": int(answered * rng.uniform(0.86, 0.95)),
                        "service_level": level, "normal_service_level": normal}
                out.append(envelope("call_stats", f"CS-{day(d).isoformat()}-{queue}", at(d, "23:59"), data=data))
        return out

    # reports and meetings -----------------------------------------------------------------------
    def reports(self) -> list[dict[str, Any]]:
        out = []

        def report(rid: str, emp: str, kind: str, period: str, ts: datetime, role: str) -> None:
            out.append(envelope("report_submission", rid, ts, emp,
                                data={"report": kind, "period": period, "submitted_at": iso(ts), "author_role": role}))

        # The work summaries of the last two years (MGT-04): 2024's annual summary and the first half
        # of 2026 on time; the second half and the whole of 2025 late, both on 28 January 2026.
        for rid, kind, period, when in (
            ("RP-2024-annual-summary", "annual_summary", "2024", datetime(2025, 1, 10, 15, 0, tzinfo=TZ)),
            ("RP-2025-H2-summary", "half_year_summary", "2025-H2", datetime(2026, 1, 28, 10, 0, tzinfo=TZ)),
            ("RP-2025-annual-summary", "annual_summary", "2025", datetime(2026, 1, 28, 10, 30, tzinfo=TZ)),
            ("RP-2026-H1-summary", "half_year_summary", "2026-H1", datetime(2026, 7, 10, 16, 0, tzinfo=TZ)),
        ):
            report(rid, "E022", kind, period, when, "department_head")
        # The quality inspector's weekly summary and training plan, Fridays (QAM-03): no summary in
        # week 46 and no training plan in week 47.
        for fri, week in ((6, 45), (13, 46), (20, 47), (27, 48)):
            if week != 46:
                report(f"RP-2026-W{week}-summary", "E021", "weekly_summary", f"2026-W{week}", at(fri, "17:30"),
                       "quality_inspector")
            if week != 47:
                report(f"RP-2026-W{week}-training", "E021", "training_plan", f"2026-W{week}", at(fri, "17:40"),
                       "quality_inspector")
        # Team leaders' service-quality analyses (MGT-03): T1 on time, T3 late on the 23rd, T2 none.
        report("RP-2026-11-QA-T1", "E001", "quality_analysis", "2026-11", at(20, "16:20"), "team_leader")
        report("RP-2026-11-QA-T3", "E015", "quality_analysis", "2026-11", at(23, "09:40"), "team_leader")
        out.sort(key=lambda r: (r["timestamp"], r["id"]))
        return out

    def meetings(self) -> list[dict[str, Any]]:
        out = []
        # The department's team-leaders' meeting (班務會: the three team leaders, chaired by the
        # department head) on Mondays, from the week of 1 November (ISO week 44 starts on 26 October)
        # to the week of 30 November; none was held in the week of 16 November (MGT-01).
        for monday in (-5, 2, 9, 16, 23, 30):
            if monday == 16:
                continue
            held = at(monday, "17:15")
            out.append(envelope("meeting", f"MT-{held.date().isoformat()}-leaders", held,
                                data={"meeting": "team", "held_on": held.date().isoformat(), "attendees": 4,
                                      "minutes_recorded": True}))
        # October's all-agents meeting, on the Friday before the 25th (MGT-02) ...
        held = at(-8, "16:00")
        out.append(envelope("meeting", "MT-2026-10-23-all-staff", held,
                            data={"meeting": "all_staff", "held_on": held.date().isoformat(), "attendees": 20,
                                  "minutes_recorded": True}))
        # ... and November's, moved from Friday 20 November to Tuesday 24 November.
        held = at(24, "16:00")
        out.append(envelope("meeting", "MT-2026-11-24-all-staff", held,
                            data={"meeting": "all_staff", "held_on": held.date().isoformat(), "attendees": 20,
                                  "minutes_recorded": True},
                            notes="原訂 11 月 20 日（週五）召開，因系統切換演練改至 11 月 24 日。"))
        out.sort(key=lambda r: (r["timestamp"], r["id"]))
        return out

    # transcripts ------------------------------------------------------------------------------
    def transcripts(self) -> list[tuple[str, str, dict[str, Any]]]:
        """(file name, header comment, record) for each call transcript."""
        calls = [
            ("E004", 3, "10:42", "zh-Hant", "phone", 2, "A compliant call in Traditional Chinese.", [
                ("agent", "您好，台北客服中心，工號 1004 很高興為您服務，請問有什麼可以幫您？"),
                ("customer", "我的信用卡好像被盜刷了。"),
                ("agent", "請別擔心，我先幫您暫停卡片。跟您確認卡號末四碼是 5521 嗎？"),
                ("customer", "對。"),
                ("agent", "已經幫您停卡，新卡七個工作天內寄出。還有其他需要為您服務的嗎？"),
                ("customer", "沒有了，謝謝。"),
                ("agent", "感謝您的來電，祝您順心，再見。"),
            ]),
            ("E011", 10, "19:05", "zh-Hant", "phone", 5,
             "No greeting, impolite replies and no closing (PHR-01); answered on the fifth ring.", [
                ("agent", "喂，什麼事？"),
                ("customer", "我上個月的帳單好像多扣了一筆年費。"),
                ("agent", "年費不歸我管，你問別人。"),
                ("customer", "那我要找哪個單位？"),
                ("agent", "我不是說過了嗎，打信用卡專線。"),
            ]),
            ("E013", 13, "20:15", "zh-Hans", "chat", None,
             "A compliant chat in Simplified Chinese with a customer from the mainland.", [
                ("agent", "您好，很高兴为您服务，请问有什么可以帮您？"),
                ("customer", "我在台湾开的账户，能在大陆的 ATM 取款吗？"),
                ("agent", "可以的，贴有银联标志的 ATM 都可以取款，每笔手续费新台币 70 元。"),
                ("customer", "好的，明白了。"),
                ("agent", "感谢您的来电，祝您旅途愉快，再见。"),
            ]),
            ("E009", 18, "11:20", "zh-Hans", "chat", None,
             "Asks the customer for the one-time verification code (SEC-04) and ends without a closing.", [
                ("agent", "您好，请问有什么可以帮您？"),
                ("customer", "我的网银登录不了。"),
                ("agent", "我帮您重置，请把验证码告诉我。"),
                ("customer", "验证码是 583920。"),
                ("agent", "好了，您现在可以登录了。"),
            ]),
            ("E005", 19, "14:05", "zh-Hant", "phone", 1,
             "Polite, but the agent reads the full card number back (SEC-04).", [
                ("agent", "您好，台北客服中心，工號 1005 很高興為您服務，請問有什麼可以幫您？"),
                ("customer", "我要查詢信用卡額度。"),
                ("agent", "好的，跟您確認卡號 4563 1800 2233 5521，對嗎？"),
                ("customer", "對。"),
                ("agent", "您目前的可用額度是新臺幣八萬元。感謝您的來電，再見。"),
            ]),
            ("E007", 24, "15:30", "en", "phone", 2, "A compliant call on the English queue.", [
                ("agent", "Good afternoon, Taipei customer service, how may I help you?"),
                ("customer", "I'd like to know the opening hours of the Xinyi branch."),
                ("agent", "The Xinyi branch opens from 9 am to 3:30 pm, Monday to Friday."),
                ("customer", "Great, thanks."),
                ("agent", "Thank you for calling, have a nice day. Goodbye."),
            ]),
            ("E019", 26, "23:40", "zh-Hant", "phone", 3, "A casual goodbye instead of the closing phrase (PHR-01).", [
                ("agent", "您好，台北客服中心，工號 1019 很高興為您服務，請問有什麼可以幫您？"),
                ("customer", "我的金融卡被 ATM 吃卡了。"),
                ("agent", "已經幫您登記，明天上午分行會通知您領回。"),
                ("customer", "好。"),
                ("agent", "好，掰掰。"),
            ]),
        ]
        out = []
        for emp, d, hhmm, lang, channel, rings, comment, turns in calls:
            assert (emp, d) in self.shifts and (emp, d) not in self.leave_of, (emp, d)
            start = at(d, hhmm)
            rid = f"TR-CC-{day(d).isoformat()}-{emp}"
            data: dict[str, Any] = {"call_id": f"CC-{start.strftime('%Y%m%d-%H%M%S')}-{int(emp[1:]):04d}",
                                    "agent": emp, "language": lang, "channel": channel}
            if rings is not None:
                data["rings"] = rings
            data["turns"] = [{"speaker": who, "text": text, "at": iso(start + timedelta(seconds=8 + 14 * i))}
                             for i, (who, text) in enumerate(turns)]
            out.append((f"{rid}.yaml", comment, envelope("transcript", rid, start, emp, data=data)))
        return out


# -- writing -----------------------------------------------------------------------------------
def _scalar(value: Any, flow: bool) -> str:
    if isinstance(value, str) and (flow and any(c in value for c in ",[]{}#:") or value == ""):
        return json.dumps(value, ensure_ascii=False)
    text = yaml.safe_dump(value, allow_unicode=True, width=10_000).strip()
    text = text[:-4].rstrip() if text.endswith("\n...") else text
    # A string YAML would quote (a date, a time, "true" ...) is written in double quotes, as JSON.
    return json.dumps(value, ensure_ascii=False) if isinstance(value, str) and text[:1] in "'\"" else text


def _flow(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    return _scalar(value, True)


def _is_leaf(value: Any) -> bool:
    """Small mappings and lists of scalars (or of small mappings) are written in flow style."""
    if isinstance(value, dict):
        return all(not isinstance(v, (dict, list)) or (isinstance(v, list) and all(not isinstance(x, (dict, list))
                                                                                   for x in v))
                   for v in value.values()) and len(_flow(value)) <= 110
    if isinstance(value, list):
        return all(not isinstance(v, (dict, list)) for v in value)
    return True


def to_yaml(value: Any, indent: int = 0) -> list[str]:
    pad = " " * indent
    lines: list[str] = []
    if isinstance(value, dict):
        for k, v in value.items():
            if isinstance(v, (dict, list)) and v and not _is_leaf(v):
                lines.append(f"{pad}{k}:")
                lines.extend(to_yaml(v, indent + 2))
            else:
                lines.append(f"{pad}{k}: {_flow(v) if isinstance(v, (dict, list)) else _scalar(v, False)}")
    elif isinstance(value, list):
        for v in value:
            if isinstance(v, dict) and not _is_leaf(v):
                inner = to_yaml(v, indent + 2)
                lines.append(f"{pad}- {inner[0].lstrip()}")
                lines.extend(inner[1:])
            else:
                lines.append(f"{pad}- {_flow(v)}")
    return lines


def yaml_file(header: str, records: list[dict[str, Any]]) -> str:
    head = "".join(f"# {line}\n" if line else "#\n" for line in header.splitlines())
    body = to_yaml({"records": records})
    return head + "\n".join(body) + "\n"


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in value.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(flatten(v, key + "."))
        else:
            out[key] = v
    return out


def csv_cell(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return str(value)


def csv_file(records: list[dict[str, Any]]) -> str:
    rows = [flatten(r) for r in records]
    headers: list[str] = []
    for row in rows:
        headers.extend(k for k in row if k not in headers)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow(["" if h not in row else csv_cell(row[h]) for h in headers])
    return buf.getvalue()


def jsonl_file(records: Iterable[dict[str, Any]]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n" for r in records)


def month_files(seed: int) -> dict[str, str]:
    """Relative path -> file text, for the whole generated month."""
    m = Month(seed)
    files = {
        "attendance.csv": csv_file(m.attendance()),
        "leave-requests.yaml": yaml_file(
            "Leave requests of November 2026 at cc-taipei, generated by examples/generate.py (do not edit:\n"
            "regenerate). Each request is for the employee's own rostered shift(s); the attendance of\n"
            "those shifts is absent with this leave_id.", m.leaves()),
        "swaps.csv": csv_file(m.swaps()),
        "monitoring.jsonl": jsonl_file(m.monitoring()),
        "call-stats.csv": csv_file(m.call_stats()),
        "reports.yaml": yaml_file(
            "Report submissions, generated by examples/generate.py (do not edit: regenerate): the quality\n"
            "inspector's weekly summaries and training plans, the team leaders' monthly service-quality\n"
            "analyses, and the half-year and annual work summaries of the last two years.", m.reports()),
        "meetings.yaml": yaml_file(
            "Meetings, generated by examples/generate.py (do not edit: regenerate): the department's weekly\n"
            "team-leaders' meetings (Mondays, from 26 October: Sunday 1 November belongs to ISO week\n"
            "2026-W44; none in the week of 16 November) and the all-agents meetings of October and November.",
            m.meetings()),
    }
    for name, comment, record in m.transcripts():
        head = f"# {comment}\n# Generated by examples/generate.py (do not edit: regenerate).\n"
        files[f"transcripts/{name}"] = head + "\n".join(to_yaml(record)) + "\n"
    return files


def write_month(out: Path, seed: int) -> list[Path]:
    files = month_files(seed)
    out.mkdir(parents=True, exist_ok=True)
    tdir = out / "transcripts"
    if tdir.is_dir():
        for old in tdir.glob("TR-CC-*.yaml"):  # ours only; never other people's files
            if f"transcripts/{old.name}" not in files:
                old.unlink()
    written = []
    for rel, text in files.items():
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
        written.append(path)
    return written


# -- scale: many records for the batch benchmark --------------------------------------------------
SCALE_MIX = [("attendance", 46), ("transcript", 16), ("monitoring", 9), ("call_stats", 9), ("leave_request", 7),
             ("shift_swap", 5), ("report_submission", 4), ("meeting", 4)]
SCALE_SITES = [dict(SITE), {"id": "cc-kaohsiung", "name": "高雄客服中心", "country": "TW", "timezone": "Asia/Taipei",
                            "type": "call_centre"}]
SCALE_TURNS = {
    "zh-Hant": (["您好，很高興為您服務，請問有什麼可以幫您？", "喂，什麼事？"],
                ["好的，幫您查詢，請稍候。", "這個不歸我管，你問別人。"],
                ["感謝您的來電，再見。", "好，掰掰。"]),
    "zh-Hans": (["您好，很高兴为您服务，请问有什么可以帮您？", "喂，什么事？"],
                ["好的，帮您查询，请稍候。", "你听不懂吗？我已经说过了。"],
                ["感谢您的来电，再见。", "就这样。"]),
    "en": (["Hello, how may I help you?", "Yeah?"], ["Let me check that for you.", "That's not my problem."],
           ["Thank you for calling, goodbye.", "Bye."]),
}


def scale_records(n: int, seed: int, roster: int | None = None) -> Iterator[dict[str, Any]]:
    """*n* valid records of the HR and call-centre kinds over 2026, mostly compliant (about one in
    ten breaks a rule), spread over enough agents, teams and days to give many aggregate groups
    (one agent per 400 records, at least 20), or over a fixed *roster* of agents."""
    rng = random.Random(seed)
    kinds = [k for k, w in SCALE_MIX for _ in range(w)]
    agents = roster or max(20, n // 400)
    start = date(2026, 1, 1)

    def person() -> tuple[str, dict[str, Any], dict[str, Any]]:
        i = rng.randrange(agents)
        emp = f"A{i:05d}"
        team = f"T{i // 7 + 1}"
        site = SCALE_SITES[i % 2]
        return emp, site, {"employee": emp, "role": "agent", "team": team, "job": "agent", "level": 1 + i % 3}

    for k in range(n):
        kind = rng.choice(kinds)
        d = start + timedelta(days=rng.randrange(365))
        bad = rng.random() < 0.1
        emp, site, subj = person()
        shift = rng.choice(("day", "evening", "night"))
        h, hours = SHIFTS[shift]
        s = datetime.combine(d, datetime.min.time(), TZ).replace(hour=h)
        rid = f"S{k:09d}"
        rec: dict[str, Any] = {"checkengine": 1, "kind": kind, "id": rid, "timestamp": iso(s), "site": site,
                               "subject": subj}
        if kind == "attendance":
            late = rng.randint(20, 45) if bad else -rng.randint(10, 16)
            rec["data"] = {"shift_start": iso(s), "shift_end": iso(s + timedelta(hours=hours)), "shift_kind": shift,
                           "on_post_at": iso(s + timedelta(minutes=late)), "absent": False, "leave_id": None,
                           "swap_id": None}
        elif kind == "transcript":
            lang = rng.choice(("zh-Hant", "zh-Hant", "zh-Hans", "en"))
            opening, middle, closing = SCALE_TURNS[lang]
            t0 = s + timedelta(minutes=rng.randrange(hours * 60))
            rec["timestamp"] = iso(t0)
            pick = [o[1] if bad and rng.random() < 0.5 else o[0] for o in (opening, middle, closing)]
            rec["data"] = {"call_id": f"CC-{rid}", "agent": emp, "language": lang, "channel": "phone",
                           "rings": rng.randint(4, 6) if bad else rng.randint(1, 3),
                           "turns": [{"speaker": "agent", "text": pick[0]}, {"speaker": "customer", "text": "..."},
                                     {"speaker": "agent", "text": pick[1]}, {"speaker": "agent", "text": pick[2]}]}
        elif kind == "monitoring":
            scores = {dim: rng.randint(45, 59) if bad and dim == "attitude" else rng.randint(62, 98)
                      for dim in ("phrasing", "attitude", "tone", "summarising", "adaptability")}
            rec["inspector"] = {"id": "E021", "role": "quality_inspector"}
            rec["data"] = {"agent": emp, "call_id": f"CC-{rid}", "monitored_at": iso(s + timedelta(hours=2)),
                           "form": "comprehensive", "scores": scores, "comment": "抽聽紀錄"}
            rec["timestamp"] = rec["data"]["monitored_at"]
        elif kind == "call_stats":
            offered = rng.randint(200, 2200)
            rate = rng.uniform(0.051, 0.08) if bad else rng.uniform(0.01, 0.045)
            abandoned = int(offered * rate)
            normal = rng.choice((70.0, 75.0, 80.0))
            del rec["subject"]
            rec["timestamp"] = iso(s.replace(hour=23, minute=59))
            rec["data"] = {"date": d.isoformat(), "queue": rng.choice(list(QUEUES)), "offered": offered,
                           "answered": offered - abandoned, "abandoned": abandoned,
                           "service_level": round(normal + rng.uniform(-5, 4), 1), "normal_service_level": normal}
        elif kind == "leave_request":
            ahead = rng.choice((0, 1, 2, 3, 7)) if not bad else 0
            req = s - timedelta(days=ahead, hours=rng.randint(1, 5))
            rec["timestamp"] = iso(req)
            ltype = rng.choice(("personal", "special_personal", "sick", "annual"))
            rec["data"] = {"leave_type": ltype, "requested_at": iso(req), "start": iso(s),
                           "end": iso(s + timedelta(hours=hours)), "days": 1, "shift_start": iso(s),
                           "shift_kind": shift, "requested_by": emp, "in_person": True,
                           "approvals": [{"role": "team_leader" if bad else "department_head", "by": "E022"}],
                           "on_swapped_shift": False}
            if ltype == "sick" and not bad:
                rec["data"]["certificates"] = [{"from": d.isoformat(), "to": d.isoformat(),
                                                "submitted_on": (d + timedelta(days=1)).isoformat()}]
        elif kind == "shift_swap":
            other, _, osubj = person()
            rec["timestamp"] = iso(s - timedelta(days=3))
            rec["data"] = {"requester": emp, "counterpart": other, "requester_team": subj["team"],
                           "counterpart_team": osubj["team"], "shift_date": d.isoformat(), "shift_kind": shift,
                           "return_date": None, "requester_leader_approved": True,
                           "counterpart_leader_approved": not bad, "form_filed": True,
                           "requester_job": "agent", "counterpart_job": "agent",
                           "requester_level": subj["level"], "counterpart_level": osubj["level"],
                           "back_to_back": False, "handover_clear": True, "shift_missed": False}
        elif kind == "report_submission":
            week = d.isocalendar()
            report = rng.choice(("weekly_summary", "training_plan", "quality_analysis"))
            due = d.replace(day=min(d.day, 28))
            sub = datetime.combine(due, datetime.min.time(), TZ).replace(hour=17)
            rec["timestamp"] = iso(sub)
            period = f"{week[0]}-W{week[1]:02d}" if report != "quality_analysis" else d.strftime("%Y-%m")
            rec["data"] = {"report": report, "period": period, "submitted_at": iso(sub),
                           "author_role": "quality_inspector" if report != "quality_analysis" else "team_leader"}
        else:  # meeting
            del rec["subject"]
            held = d - timedelta(days=d.weekday())  # Mondays
            rec["timestamp"] = iso(datetime.combine(held, datetime.min.time(), TZ).replace(hour=17))
            rec["data"] = {"meeting": "team", "held_on": held.isoformat(), "team": subj["team"],
                           "attendees": 7, "minutes_recorded": True}
        yield rec


def write_scale(out: Path, n: int, seed: int, roster: int | None = None) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    path = out / "records.jsonl"
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        for rec in scale_records(n, seed, roster):
            handle.write(json.dumps(rec, ensure_ascii=False, separators=(",", ":")) + "\n")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
    parser.add_argument("--out", type=Path, default=None,
                        help="output folder (default: examples/month-2026-11, or required with --scale)")
    parser.add_argument("--scale", type=int, metavar="N", default=None,
                        help="write N records as JSON Lines to OUT/records.jsonl instead of the month")
    parser.add_argument("--roster", type=int, metavar="PEOPLE", default=None,
                        help="with --scale: spread the records over this many agents (default: one per 400 "
                             "records, at least 20)")
    args = parser.parse_args(argv)
    if args.scale is not None:
        if args.out is None:
            parser.error("--scale needs --out DIR")
        if args.scale < 1:
            parser.error("--scale must be at least 1")
        if args.roster is not None and args.roster < 1:
            parser.error("--roster must be at least 1")
        path = write_scale(args.out, args.scale, args.seed, args.roster)
        print(f"wrote {args.scale} records to {path}")
        return 0
    out = args.out or DEFAULT_OUT
    written = write_month(out, args.seed)
    print(f"wrote {len(written)} files to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
