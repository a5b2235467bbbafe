"""The streamed ``--format summary`` writes what the summary reporter writes from the whole result."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from checkengine.builtin.summary_reporter import SummaryReporter
from checkengine.builtin.summary_sink import SummarySink, SummaryWriter
from checkengine.plugins import default_registry
from checkengine.sinks import EVALUATION, find_sink, replay

ROOT = Path(__file__).resolve().parents[2]


def test_summary_is_the_streamed_sink() -> None:
    assert isinstance(find_sink(default_registry(), EVALUATION, "summary"), SummarySink)


@pytest.mark.parametrize("book", ["leave-and-swaps.yaml", "management.yaml"])
def test_streamed_summary_equals_the_reporter(book: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Records, aggregate groups and unusable records: the month's folder under two rulebooks
    (leave-and-swaps has group rules; management leaves kinds out)."""
    from checkengine.cli import main

    args = ["evaluate", "--rulebook", str(ROOT / "rulebooks" / book), str(ROOT / "examples" / "month-2026-11")]
    code = main([*args, "--format", "summary"])
    streamed = capsys.readouterr().out
    assert code in (0, 1, 2)
    import json

    code = main([*args, "--format", "json", "--result-schema", "1"])
    result = json.loads(capsys.readouterr().out)
    expected = io.StringIO()
    SummaryReporter().render(result, expected)
    assert streamed == expected.getvalue()
    assert result["groups"] or book != "leave-and-swaps.yaml"  # the groups were counted too
    again = io.StringIO()
    replay(result, SummaryWriter(again))  # a whole result fed to the sink: the same table
    assert again.getvalue() == expected.getvalue()
