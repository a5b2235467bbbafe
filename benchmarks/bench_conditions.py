"""What a condition costs: CEL (Rust binding) with a fresh context per evaluation, with one context
reused across a record's conditions, with one context holding only what the conditions read (what
the engine does: cel_context.EnvCache / prune), the same test as a Python closure, and the engine's
translation of the condition into closures (checkengine.cel_closures; what the engine runs now).

Prints CPU microseconds per evaluation (best of R repeats, each over N records) and the ratios;
not a test.
Run: .venv/bin/python benchmarks/bench_conditions.py [RECORDS] [REPEATS]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# Eleven conditions as rulebooks write them in `when`: field tests, arithmetic, a function call, a macro.
CONDITIONS: list[tuple[str, Callable[[dict[str, Any], dict[str, Any]], Any]]] = [
    ("record.observations.on_duty == true", lambda r, p: r["observations"]["on_duty"] is True),
    ("record.subject.role == 'agent'", lambda r, p: r["subject"]["role"] == "agent"),
    ("record.observations.minutes_outside <= params.max_minutes_outside",
     lambda r, p: r["observations"]["minutes_outside"] <= p["max_minutes_outside"]),
    ("record.observations.calls > 0 && record.observations.errors * 100 / record.observations.calls < 5",
     lambda r, p: r["observations"]["calls"] > 0 and r["observations"]["errors"] * 100 // r["observations"]["calls"] < 5),
    ("record.shift.kind in ['day', 'evening']", lambda r, p: r["shift"]["kind"] in ("day", "evening")),
    ("has(record.observations.badge) && record.observations.badge != 'none'",
     lambda r, p: "badge" in r["observations"] and r["observations"]["badge"] != "none"),
    ("size(record.data.turns) >= 2", lambda r, p: len(r["data"]["turns"]) >= 2),
    ("record.data.language.startsWith('zh')", lambda r, p: r["data"]["language"].startswith("zh")),
    ("!('food' in record.observations.desk_items)",
     lambda r, p: "food" not in r["observations"]["desk_items"]),
    ("minutes_between(record.data.requested_at, record.data.shift_start) >= params.notice",
     lambda r, p: _minutes(r["data"]["requested_at"], r["data"]["shift_start"]) >= p["notice"]),
    ("record.data.turns.exists(t, t.speaker == 'customer' && has(t.text))",
     lambda r, p: any(t["speaker"] == "customer" and "text" in t for t in r["data"]["turns"])),
]


def _minutes(start: str, end: str) -> float:
    from datetime import datetime

    return (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds() / 60.0


def records(n: int) -> list[dict[str, Any]]:
    out = []
    for i in range(n):
        out.append({
            "kind": "floor_inspection", "id": f"FI-{i}", "timestamp": "2026-11-03T09:15:00+08:00",
            "site": {"id": "cc-taipei", "country": "TW"},
            "subject": {"employee": f"E{i % 50:03d}", "role": "agent" if i % 7 else "leader", "team": "T1"},
            "shift": {"kind": ("day", "evening", "night")[i % 3]},
            "observations": {"on_duty": i % 5 != 0, "minutes_outside": i % 30, "calls": 100 + i % 50,
                             "errors": i % 9, "badge": "standard", "desk_items": ["phone", "notes", "cup"]},
            "data": {"language": "zh-Hant", "requested_at": "2026-11-03T07:30:00+08:00",
                     "shift_start": "2026-11-03T09:00:00+08:00",
                     "turns": [{"speaker": "agent", "text": "您好"}, {"speaker": "customer", "text": "存款"}]},
        })
    return out


def best(fn: Callable[[], int], repeats: int) -> tuple[float, int]:
    """(best seconds over *repeats*, the evaluations one run makes)."""
    times = []
    count = 0
    for _ in range(repeats):
        start = time.process_time()
        count = fn()
        times.append(time.process_time() - start)
    return min(times), count


def main() -> None:
    from checkengine.cel_context import EnvCache, prune
    from checkengine.conditions import Conditions
    from checkengine.plugins import default_registry

    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    conditions = Conditions(default_registry().cel_functions)
    compiled = [conditions.compile(text) for text, _ in CONDITIONS]
    closures = [fn for _, fn in CONDITIONS]
    params = {"max_minutes_outside": 15, "notice": 60}
    data = records(n)

    # Every way gives the same answers (else the comparison is meaningless).
    for record in data[:50]:
        ctx = conditions.context(record, params)
        assert [c.run(ctx) for c in compiled] == [f(record, params) for f in closures], record["id"]

    def fresh() -> int:
        for record in data:
            for c in compiled:
                c.run(conditions.context(record, params))
        return len(data) * len(compiled)

    def reused() -> int:
        for record in data:
            ctx = conditions.context(record, params)
            for c in compiled:
                c.run(ctx)
        return len(data) * len(compiled)

    paths, names = EnvCache(compiled).refs
    needed = {k: v for k, v in params.items() if names is None or k in names}

    def sized() -> int:
        for record in data:
            ctx = conditions.context(prune(record, paths), needed)
            for c in compiled:
                c.run(ctx)
        return len(data) * len(compiled)

    def context_only() -> int:
        for record in data:
            conditions.context(record, params)
        return len(data)

    def python() -> int:
        for record in data:
            for f in closures:
                f(record, params)
        return len(data) * len(closures)

    # The engine's translation (checkengine.cel_closures) of the conditions it translates, next to
    # the hand-written closures of the same conditions; the closures read the record as it is.
    translated = [(c, f) for c, f in zip(compiled, closures) if c.fast is not None]

    class _Value:
        def __init__(self, value: Any) -> None:
            self.value = value

    class _Env:  # what a closure reads of checkengine.checks.Env
        def __init__(self, record: dict[str, Any]) -> None:
            self.record, self.group = record, None
            self.scope: dict[str, Any] | None = None  # a macro's loop variables
            self.book = self
            self.parameters = params

        def _value_of(self, name: str) -> Any:
            return _Value(params[name])

    for record in data[:50]:
        env = _Env(record)
        assert [c.fast(env) for c, _ in translated] == [f(record, params) for _, f in translated]  # type: ignore[misc]

    def fast() -> int:
        for record in data:
            env = _Env(record)
            for c, _ in translated:
                c.fast(env)  # type: ignore[misc]
        return len(data) * len(translated)

    def python_translated() -> int:
        for record in data:
            for _, f in translated:
                f(record, params)
        return len(data) * len(translated)

    rows = {}
    for name, fn in (("CEL, fresh context per condition", fresh), ("CEL, one context per record", reused),
                     ("CEL, one sized context per record", sized),
                     ("building one context (per record)", context_only), ("Python closure", python),
                     (f"translated closures ({len(translated)} of {len(compiled)})", fast),
                     ("Python closure, the same ones", python_translated)):
        seconds, count = best(fn, repeats)
        rows[name] = seconds / count * 1e6
    width = max(len(k) for k in rows)
    print(f"{len(data)} records x {len(compiled)} conditions, best of {repeats} (one core)")
    for name, us in rows.items():
        print(f"  {name:<{width}}  {us:8.2f} µs")
    py = rows["Python closure"]
    print(f"  fresh / reused context:       {rows['CEL, fresh context per condition'] / rows['CEL, one context per record']:6.1f}x")
    print(f"  reused CEL / Python closure:  {rows['CEL, one context per record'] / py:6.1f}x")
    print(f"  sized CEL / Python closure:   {rows['CEL, one sized context per record'] / py:6.1f}x")
    print(f"  fresh CEL / Python closure:   {rows['CEL, fresh context per condition'] / py:6.1f}x")
    print(f"  translated / Python closure:  {rows[f'translated closures ({len(translated)} of {len(compiled)})'] / rows['Python closure, the same ones']:6.1f}x"
          "  (no CEL context is built for them)")
    per_condition = (rows["CEL, one context per record"] * len(compiled) - rows["building one context (per record)"]) / len(compiled)
    print(f"  CEL execution alone (reused context, context cost removed): {per_condition:.2f} µs per condition")


if __name__ == "__main__":
    main()
