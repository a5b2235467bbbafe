"""A small, deterministic call-centre month for the batch, archive, report and diff tests.

The rulebook has record rules (dress, conduct, monitoring scores) and the two aggregates the
reports read: monitoring coverage (QAM-01, a ``count`` per agent and month, tagged monitoring) and
call loss (QAM-04, a ``rate`` per site and day, tagged call-loss). Records are generated from a
seed, so a test that splits them differently can compare results exactly.
"""

from __future__ import annotations

import json
import random
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Iterator

import yaml

LANGS = ["en", "zh-Hant", "zh-Hans", "ko", "es"]


def text(en: str, zh_hant: str, zh_hans: str, ko: str, es: str) -> dict[str, str]:
    return {"en": en, "zh-Hant": zh_hant, "zh-Hans": zh_hans, "ko": ko, "es": es}


def rulebook(*, min_monitoring: int = 3, max_loss: float = 5, version: str = "1.0.0",
             max_outside: int = 10) -> dict[str, Any]:
    def param(value: Any, unit: str, ref: str) -> dict[str, Any]:
        return {"description": text("p", "參數", "参数", "매개변수", "parámetro"), "unit": unit,
                "values": {"2020-01-01": {"value": value, "reference": ref}}}

    return {
        "checkengine": 1, "id": "scenario", "version": version,
        "title": text("Call-centre standards", "客服中心規範", "客服中心规范", "고객센터 규범", "Normas del centro"),
        "languages": LANGS,
        "sources": [{"id": "handbook", "title": text("Handbook", "手冊", "手册", "안내서", "Manual"),
                     "clauses": [{"id": cid, "clause": cid, "text": cid}
                                 for cid in ("DRS-01", "DRS-02", "CND-08", "QAM-01", "QAM-02", "QAM-04")]}],
        "parameters": {
            "max_minutes_outside": param(max_outside, "minutes", "CND-08"),
            "min_monitoring_per_month": param(min_monitoring, "count", "QAM-01"),
            "max_call_loss_pct": param(max_loss, "percent", "QAM-04"),
        },
        "sections": [
            {"id": "dress", "title": text("Dress", "服裝儀容", "服装仪容", "복장", "Vestimenta"), "rules": [
                {"id": "DRS-01-uniform", "title": text("Uniform worn", "穿著制服", "穿着制服", "유니폼 착용", "Uniforme"),
                 "source": "DRS-01", "severity": "major", "applies_to": {"kinds": ["floor_inspection"]},
                 "check": {"type": "equals", "field": "observations.uniform", "value": True},
                 "corrective_action": text("Wear the uniform", "穿著制服上崗", "穿着制服上岗", "유니폼 착용",
                                           "Llevar el uniforme")},
                {"id": "DRS-02-badge", "title": text("Badge worn", "佩戴工牌", "佩戴工牌", "명찰 착용", "Placa"),
                 "source": "DRS-02", "severity": "minor", "applies_to": {"kinds": ["floor_inspection"]},
                 "check": {"type": "one_of", "field": "observations.badge", "values": ["standard"]}},
            ]},
            {"id": "conduct", "title": text("Conduct", "行為", "行为", "행동", "Conducta"), "rules": [
                {"id": "CND-08-time-outside", "title": text("Time outside", "離開時間", "离开时间", "외출 시간",
                                                            "Tiempo fuera"),
                 "source": "CND-08", "severity": "major", "applies_to": {"kinds": ["floor_inspection"]},
                 "check": {"type": "in_range", "field": "observations.minutes_outside",
                           "max": {"param": "max_minutes_outside"}},
                 "corrective_action": text("Talk to the team leader", "與組長面談", "与组长面谈", "팀장 면담",
                                           "Hablar con el jefe")},
            ]},
            {"id": "quality", "title": text("Quality", "品質", "品质", "품질", "Calidad"), "rules": [
                {"id": "QAM-01-monitoring", "title": text("Calls monitored", "通話監聽次數", "通话监听次数",
                                                          "통화 모니터링", "Llamadas monitorizadas"),
                 "source": "QAM-01", "severity": "major", "tags": ["monitoring"],
                 "applies_to": {"kinds": ["monitoring"]},
                 "check": {"type": "count", "date": "data.monitored_at", "period": "month",
                           "group_by": {"employee": "data.agent"}, "min": {"param": "min_monitoring_per_month"}}},
                {"id": "QAM-02-attitude", "title": text("Attitude score", "態度分數", "态度分数", "태도 점수",
                                                        "Actitud"),
                 "source": "QAM-02", "severity": "minor", "applies_to": {"kinds": ["monitoring"]},
                 "check": {"type": "in_range", "field": "data.scores.attitude", "min": 60}},
                {"id": "QAM-04-call-loss", "title": text("Call loss rate", "掉話率", "掉话率", "통화 포기율",
                                                         "Tasa de abandono"),
                 "source": "QAM-04", "severity": "major", "tags": ["call-loss"],
                 "applies_to": {"kinds": ["call_stats"]},
                 "check": {"type": "rate", "date": "data.date", "period": "day", "group_by": {"site": "site.id"},
                           "numerator": "data.abandoned", "denominator": "data.offered",
                           "max": {"param": "max_call_loss_pct"}},
                 "corrective_action": text("Add staff at peak hours", "尖峰時段增派人力", "高峰时段增派人力",
                                           "피크 시간 인력 보강", "Reforzar las horas punta")},
            ]},
        ],
    }


def write_rulebook(path: Path, **options: Any) -> Path:
    path.write_text(yaml.safe_dump(rulebook(**options), allow_unicode=True, sort_keys=False), "utf-8")
    return path


AGENTS = [("E001", "T1"), ("E002", "T1"), ("E003", "T2"), ("E004", "T2"), ("E005", "T2")]
SITE = {"id": "cc-taipei", "country": "TW", "timezone": "Asia/Taipei"}


def records(count: int, *, seed: int = 7, month: str = "2026-11", site: dict[str, Any] | None = None,
            ) -> Iterator[dict[str, Any]]:
    """*count* records of one month: floor inspections, monitored calls, daily call statistics."""
    rng = random.Random(seed)
    first = date.fromisoformat(month + "-01")
    where = site or SITE
    for n in range(count):
        day = first + timedelta(days=rng.randrange(28))
        agent, team = AGENTS[rng.randrange(len(AGENTS))]
        stamp = f"{day.isoformat()}T{9 + n % 8:02d}:{n % 60:02d}:00+08:00"
        kind = ("floor_inspection", "floor_inspection", "monitoring", "call_stats")[n % 4]
        base: dict[str, Any] = {"kind": kind, "id": f"{kind[:2].upper()}-{month}-{n:06d}", "timestamp": stamp,
                                "site": where}
        if kind == "floor_inspection":
            base["subject"] = {"employee": agent, "role": "agent", "team": team}
            base["observations"] = {"uniform": rng.random() > 0.1, "badge": rng.choice(["standard", "standard", "none"]),
                                    "minutes_outside": rng.randrange(0, 16)}
        elif kind == "monitoring":
            base["subject"] = {"employee": agent, "role": "agent", "team": team}
            base["data"] = {"agent": agent, "monitored_at": stamp, "form": "comprehensive",
                            "scores": {"attitude": rng.randrange(40, 100)}}
        else:
            offered = rng.randrange(200, 400)
            base["data"] = {"date": day.isoformat(), "queue": "main", "offered": offered,
                            "abandoned": rng.randrange(0, offered // 12)}
        yield base


def write_jsonl(path: Path, count: int, **options: Any) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        for rec in records(count, **options):
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return path
