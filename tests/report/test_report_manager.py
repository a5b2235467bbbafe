"""What a manager reads first: limits and targets as the rulebook sets them, outcomes counted apart,
what changed since the previous period, the store's actions, and the sites of a region side by side."""

from __future__ import annotations

import re
from datetime import date, datetime, timezone

import pytest

from checkengine.actions.tracker import list_actions, update_action
from checkengine.archive.store import open_archive
from checkengine.report.build import Scope, from_archive
from checkengine.report.model import ReportData
from checkengine.report.period import parse_period
from checkengine.report.render import render_html

from conftest import REGION_SITES, TARGET  # noqa: E402  (this folder's conftest, on sys.path)

WHEN = datetime(2026, 12, 1, 9, 30, tzinfo=timezone.utc)


def read(region: str, lang: str = "en") -> ReportData:
    return from_archive(region, Scope("cc-taipei", None, parse_period("2026-11"), lang, REGION_SITES[1:]))


def row(html: str, marker: str) -> str:
    """The table row of *html* that holds *marker*."""
    found = re.search(r"<tr[^>]*>(?:(?!</tr>).)*" + re.escape(marker) + r".*?</tr>", html, re.DOTALL)
    assert found, marker
    return found.group(0)


def test_a_day_at_4_3_percent_is_within_a_5_percent_limit(region: str) -> None:
    """SEED-RULES QAM-04: "Call loss (abandon) rate not above 5 % (003)". The site lost 43 of 1,000
    calls on 3 November (4.3 %): within the limit, though its small vip queue lost 10 of 100 and
    failed the rule on its own - the queue is named, the day is not marked over the limit."""
    data = read(region)
    day, quiet = data.call_loss
    assert (quiet.day, quiet.rate, quiet.outcome) == (date(2026, 11, 4), None, "not_applicable")
    assert day.day == date(2026, 11, 3) and day.limit == 5
    assert day.rate == pytest.approx(4.3, abs=1e-3)
    assert (day.outcome, day.failing) == ("pass", ["vip"])
    html = render_html(data, "en", generated=WHEN)
    cells = row(html, "4.3%")
    assert '<td class="good">within the limit <span class="muted">(queues over the limit: vip)</span></td>' in cells
    assert 'class="n bad"' not in cells


def test_rates_are_coloured_by_the_rulebook_target(region: str) -> None:
    data = read(region)
    assert data.target == TARGET
    rates = {r.rule: r.counts.rate for r in data.rules}
    assert rates["DRS-01-uniform"] == 50.0 and rates["DRS-02-badge"] == 100.0
    html = render_html(data, "en", generated=WHEN)
    by_rule = html[html.index("Pass rate by rule"):]
    assert '<td class="n bad">50.0%</td>' in row(by_rule, "DRS-01-uniform")
    assert '<td class="n good">100.0%</td>' in row(by_rule, "DRS-02-badge")
    assert "Rates below the rulebook&#39;s target (90.0%) are in red" in html
    # Without a target, 50 % is not red and 100 % not green: no rate is judged against 100 %.
    data.target = None
    for stat in data.rules:
        stat.target = None
    plain = render_html(data, "en", generated=WHEN)
    assert '<td class="n ">50.0%</td>' in row(plain[plain.index("Pass rate by rule"):], "DRS-01-uniform")
    assert "no rate is marked good or bad" in plain


def test_what_changed_since_the_previous_month(region: str) -> None:
    data = read(region)
    changes = {c.rule: c for c in data.changes}
    uniform = changes["DRS-01-uniform"]
    assert (uniform.kind, uniform.before, uniform.after, uniform.points) == ("new_failure", 100.0, 50.0, -50.0)
    assert "DRS-02-badge" not in changes  # 100 % in both months: no change
    assert data.previous is not None and (data.previous.passed, data.previous.failed) == (6, 0)
    assert data.previous_records == 2
    html = render_html(data, "en", generated=WHEN)
    assert "What changed since Oct 2026" in html
    assert "−50 pts" in row(html, "DRS-01-uniform")
    assert "−25 pts vs Oct 2026" in html  # 100 % in October, 75 % (6 of 8) in November


def test_the_store_actions_with_owner_status_and_age(region: str) -> None:
    with open_archive(region, write=True) as store:
        uniform = next(a for a in list_actions(store, site="cc-taipei") if a.rule == "DRS-01-uniform")
        if uniform.status == "open":  # the fixture is shared: act once
            update_action(store, uniform.id, "assign", actor="manager-1", to="TL-7", due=date(2026, 11, 20))
    data = from_archive(region, Scope("cc-taipei", None, parse_period("2026-11"), "en"))
    tracked = {a.rule: a for a in data.tracked}
    action = tracked["DRS-01-uniform"]
    assert (action.owner, action.status, action.opened, action.due) == ("TL-7", "assigned", date(2026, 11, 5),
                                                                        date(2026, 11, 20))
    assert action.overdue  # due on the 20th, not done
    assert action.age == (date.today() - date(2026, 11, 5)).days
    assert data.tracked[0] is action  # overdue first
    html = render_html(data, "en", generated=WHEN)
    cells = row(html[html.index("<h2>Corrective actions</h2>"):], "DRS-01-uniform")
    assert "<td>TL-7</td>" in cells and "assigned · OVERDUE" in cells and "5 Nov 2026" in cells
    # A team's report shows the team's actions only (the call loss action belongs to no team).
    team = from_archive(region, Scope("cc-taipei", "T1", parse_period("2026-11"), "en"))
    assert [a.rule for a in team.tracked] == ["DRS-01-uniform"]
    # A report of a month before the failure does not list it.
    october = from_archive(region, Scope("cc-taipei", None, parse_period("2026-10"), "en"))
    assert october.tracked == []


def test_the_sites_of_a_region_side_by_side(region: str) -> None:
    data = read(region)
    rows = {r.site: r for r in data.compare}
    assert list(rows) == ["cc-taipei", "cc-kaohsiung"]  # the lowest pass rate first
    assert rows["cc-taipei"].this and not rows["cc-kaohsiung"].this
    assert rows["cc-taipei"].counts == data.overall  # counted as the site's own report counts it
    assert (rows["cc-kaohsiung"].records, rows["cc-kaohsiung"].counts.failed) == (1, 0)
    assert rows["cc-taipei"].open_actions == 2 and rows["cc-kaohsiung"].open_actions == 0
    html = render_html(data, "en", generated=WHEN)
    assert '<tr class="this"><td>cc-taipei</td>' in html and "<td>cc-kaohsiung</td>" in html


def test_not_applicable_is_not_awaiting_review(region: str) -> None:
    """A queue with no call offered is "not applicable" (QAM-04: "A day without offered calls is not
    applicable"): counted as such, in its own column, not as needing review."""
    data = read(region)
    assert (data.overall.not_applicable, data.overall.needs_review, data.overall.error) == (1, 0, 0)
    loss = next(r for r in data.rules if r.rule == "QAM-04-call-loss")
    assert (loss.counts.passed, loss.counts.failed, loss.counts.not_applicable) == (1, 1, 1)
    html = render_html(data, "en", generated=WHEN)
    assert ("<th class=\"n\">Not applicable</th><th class=\"n\">Needs review</th><th class=\"n\">Error</th>"
            in html)
    cells = row(html[html.index("Pass rate by rule"):], "QAM-04-call-loss")
    assert '<td class="n">1</td><td class="n">1</td><td class="n">1</td><td class="n">0</td><td class="n">0</td>' in cells
