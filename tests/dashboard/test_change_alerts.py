"""Change alerts: a referring team, team category or offence group whose referrals in the last
complete quarter fell far below its own recent level, beyond chance; their place on the area
dashboard, the drill-down links to the referral list, and `manage.py send_change_alerts`.

Today is 15 November 2025. The last complete quarter is Q2 2025/26 (July to September 2025); the
four quarters before it are Q2, Q3 and Q4 2024/25 and Q1 2025/26, the first of them being the same
quarter a year earlier. Q3 2025/26 (October to December) is under way and never judged. Every
probability below is worked out by hand from the Poisson distribution: P(X <= k | mean m) is
e^-m (1 + m + m^2/2! + ... + m^k/k!)."""

import csv
import io
import math
from datetime import date, timedelta
from io import StringIO
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape
from openpyxl import load_workbook

from dashboard.alerts import MIN_BASELINE, judge_change, last_complete_quarter, quarter_alerts
from dashboard.constants import AlertKind, Baseline
from dashboard.models import SentChangeAlert
from dashboard.services import AreaDigest, change_alerts_send
from referrals.selectors import referral_counts_by_quarter
from rjportal.audit.models import AuditEvent
from rjportal.periods import FinancialYear
from tests.factories import (
    ESSEX,
    KENT,
    PccOfficeFactory,
    PccStaffFactory,
    ProviderFactory,
    ReferralFactory,
    ReferringTeamFactory,
    area,
)

pytestmark = pytest.mark.django_db

TODAY = date(2025, 11, 15)
JUDGED = FinancialYear(2025).quarter(2)  # July to September 2025
# The five quarters read on TODAY, oldest first: the four before the judged one, then it.
QUARTERS = [
    FinancialYear(2024).quarter(2),
    FinancialYear(2024).quarter(3),
    FinancialYear(2024).quarter(4),
    FinancialYear(2025).quarter(1),
    JUDGED,
]
IN_PROGRESS = FinancialYear(2025).quarter(3)  # October to December 2025
KENT_DASHBOARD = reverse("dashboard:area", kwargs={"code": KENT})
REFERRALS = reverse("referrals:list")


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def provider():
    return ProviderFactory(name="Kent RJ Service", areas=[area(KENT)])


def received(provider, team, day, count, *, offence_group="robbery"):
    """`count` referrals from `team` received on `day`."""
    return [
        ReferralFactory(
            provider=provider,
            area=team.area,
            referring_team=team,
            offence_group=offence_group,
            offence_subgroup="",
            crime_reported_on=day - timedelta(days=6),
            victim_informed_on=day - timedelta(days=5),
            victim_requested_on=day - timedelta(days=4),
            referred_on=day - timedelta(days=3),
            received_on=day,
        )
        for _ in range(count)
    ]


def by_quarter(provider, team, counts, *, quarters=QUARTERS, offence_group="robbery"):
    """Referrals from `team` in each quarter (oldest first), received on the quarter's 15th
    day; returns those of the last quarter given."""
    made = []
    for quarter, count in zip(quarters, counts, strict=True):
        made = received(provider, team, quarter.start + timedelta(days=14), count, offence_group=offence_group)
    return made


def team(name="Maidstone response", category="response", code=KENT):
    return ReferringTeamFactory(area=area(code), name=name, category=category)


def alerts(today=TODAY, code=KENT):
    return quarter_alerts(area=area(code), today=today).alerts


def keys(found):
    return {(alert.kind.value, alert.key) for alert in found}


def one(found, kind):
    (alert,) = [alert for alert in found if alert.kind == kind]
    return alert


# The rule, worked by hand ------------------------------------------------------------------


def test_a_team_far_below_its_last_four_quarters_is_an_alert(provider):
    maidstone = team()
    by_quarter(provider, maidstone, [20, 22, 18, 20, 3])
    found = alerts()
    # One team, so its category (response) and offence group (robbery) fell alike.
    assert keys(found) == {("team", str(maidstone.pk)), ("team_category", "response"), ("offence_group", "robbery")}
    alert = one(found, AlertKind.TEAM)
    assert alert.name == "Maidstone response"
    assert alert.quarter == JUDGED
    assert alert.observed == 3
    assert alert.previous == (20, 22, 18, 20)
    assert alert.previous_average == 20.0
    assert alert.same_quarter_last_year == 20
    # Both levels are 20; the average of four is reported when they tie.
    assert alert.baseline == Baseline.PREVIOUS_FOUR
    assert alert.expected == 20.0
    # P(X <= 3 | 20) = e^-20 (1 + 20 + 200 + 1333.33) = 3.20e-6: far below the 99.8% limit.
    assert alert.p_below == pytest.approx(math.exp(-20) * (1 + 20 + 200 + 8000 / 6), rel=1e-9)
    assert alert.p_below == pytest.approx(3.2037e-6, rel=1e-3)
    assert alert.band == "far_below"
    assert alert.chance == "about 1 in 310,000"
    assert one(found, AlertKind.TEAM_CATEGORY).name == "Response"
    assert one(found, AlertKind.OFFENCE_GROUP).name == "Robbery"


def test_a_fall_chance_would_explain_is_not_an_alert(provider):
    # P(X <= 15 | 20) = 0.157: a fall of a quarter, but one chance gives about 1 time in 6.
    by_quarter(provider, team(), [20, 22, 18, 20, 15])
    assert alerts() == []


def test_a_fall_from_a_level_under_five_is_not_judged(provider):
    by_quarter(provider, team(), [2, 2, 2, 2, 0])
    assert alerts() == []
    assert MIN_BASELINE == 5
    assert judge_change(0, [2, 2, 2, 2]) is None
    assert judge_change(0, [4, 4, 5, 5]) is None  # an average of 4.5
    # From a level of 7, none at all is beyond chance: P(X = 0 | 7) = e^-7 = 0.0009.
    assert judge_change(0, [7, 7, 7, 7])[0] == Baseline.PREVIOUS_FOUR


def test_the_same_quarter_a_year_earlier_is_a_baseline_of_its_own(provider):
    # Average of four 11.25: P(X <= 8 | 11.25) = 0.21, no alert. The same quarter a year earlier,
    # 30: P(X <= 8 | 30) = 2.0e-6, an alert.
    canterbury = team("Canterbury custody", "custody")
    by_quarter(provider, canterbury, [30, 5, 5, 5, 8])
    alert = one(alerts(), AlertKind.TEAM)
    assert alert.baseline == Baseline.SAME_QUARTER
    assert alert.expected == 30
    assert alert.previous_average == 11.25
    assert alert.p_below == pytest.approx(2.0461e-6, rel=1e-3)


def test_a_same_quarter_under_five_leaves_the_average_of_four_to_judge(provider):
    # Same quarter a year earlier 4 (not judged); average of four (4 + 24 + 24 + 28) / 4 = 20.
    dover = team("Dover neighbourhood", "neighbourhood")
    by_quarter(provider, dover, [4, 24, 24, 28, 3])
    alert = one(alerts(), AlertKind.TEAM)
    assert alert.baseline == Baseline.PREVIOUS_FOUR
    assert alert.expected == 20.0


def test_a_category_can_fall_beyond_chance_when_none_of_its_teams_does(provider):
    # Each team: P(X <= 4 | 12) = 0.0076, within the 99.8% limit. Together: P(X <= 8 | 24) = 0.00015.
    for name in ("Ashford neighbourhood", "Thanet neighbourhood"):
        by_quarter(provider, team(name, "neighbourhood"), [12, 12, 12, 12, 4])
    found = alerts()
    assert keys(found) == {("team_category", "neighbourhood"), ("offence_group", "robbery")}
    assert one(found, AlertKind.TEAM_CATEGORY).p_below == pytest.approx(1.5056e-4, rel=1e-3)


def test_a_quarter_with_no_referrals_at_all_can_be_an_alert(provider):
    # P(X = 0 | 10) = e^-10 = 4.5e-5.
    silent = team("Sevenoaks investigation", "investigation")
    by_quarter(provider, silent, [10, 10, 10, 10, 0])
    alert = one(alerts(), AlertKind.TEAM)
    assert alert.observed == 0
    assert alert.p_below == pytest.approx(math.exp(-10))


def test_teams_and_groups_without_referrals_are_counted_as_none_and_never_alerts(provider):
    quiet = team("Folkestone court", "court")
    counts = referral_counts_by_quarter(area=area(KENT), periods=QUARTERS)
    assert counts.by_team == {quiet.pk: [0, 0, 0, 0, 0]}
    assert counts.by_team_category == {}
    assert counts.by_offence_group == {}
    assert alerts() == []


def test_the_selector_counts_each_quarter_by_team_category_and_offence_group(provider):
    a, b = team("A", "response"), team("B", "response")
    by_quarter(provider, a, [1, 2, 3, 4, 5])
    by_quarter(provider, b, [5, 0, 0, 0, 1], offence_group="theft_offences")
    received(provider, a, IN_PROGRESS.start, 7)  # under way: in none of the five quarters
    received(provider, team("Essex team", code=ESSEX), JUDGED.start, 9)  # another area
    kent = area(KENT)
    with CaptureQueriesContext(connection) as queries:
        counts = referral_counts_by_quarter(area=kent, periods=QUARTERS)
    # One GROUP BY and the teams, and the newest id and change under which the rows are kept.
    assert len(queries) == 4
    with CaptureQueriesContext(connection) as queries:
        assert referral_counts_by_quarter(area=kent, periods=QUARTERS) == counts
    assert len(queries) == 3  # kept: no GROUP BY
    assert counts.by_team == {a.pk: [1, 2, 3, 4, 5], b.pk: [5, 0, 0, 0, 1]}
    assert counts.by_team_category == {"response": [6, 2, 3, 4, 6]}
    assert counts.by_offence_group == {"robbery": [1, 2, 3, 4, 5], "theft_offences": [5, 0, 0, 0, 1]}


# The quarter judged ------------------------------------------------------------------------------


def test_the_last_complete_quarter_is_the_last_one_that_has_ended():
    assert last_complete_quarter(date(2025, 9, 30)) == FinancialYear(2025).quarter(1)
    assert last_complete_quarter(date(2025, 10, 1)) == FinancialYear(2025).quarter(2)
    assert last_complete_quarter(date(2025, 4, 1)) == FinancialYear(2024).quarter(4)
    assert last_complete_quarter(date(2026, 1, 1)) == FinancialYear(2025).quarter(3)


def test_the_quarter_under_way_is_never_judged(provider):
    # Steady at 20 up to September; nothing yet in October and November is no alert.
    by_quarter(provider, team(), [20, 20, 20, 20, 20])
    assert alerts() == []
    # And referrals in the quarter under way do not count towards the quarter judged.
    falling = team("Gravesend response")
    by_quarter(provider, falling, [20, 22, 18, 20, 3])
    received(provider, falling, date(2025, 10, 10), 30)
    alert = one([a for a in alerts() if a.kind == AlertKind.TEAM], AlertKind.TEAM)
    assert alert.name == "Gravesend response"
    assert alert.observed == 3


def test_on_the_last_day_of_a_quarter_the_quarter_before_is_judged(provider):
    maidstone = team()
    by_quarter(provider, maidstone, [20, 22, 18, 20, 3])
    # On 30 September, July to September has not ended: April to June (20) is judged.
    assert alerts(today=date(2025, 9, 30)) == []
    found = alerts(today=date(2025, 10, 1))
    assert one(found, AlertKind.TEAM).quarter == JUDGED


# Drill-down links --------------------------------------------------------------------------------


def listed(client, url):
    """The references the referral list shows at `url`."""
    response = client.get(url)
    assert response.status_code == 200
    page = response.context["referrals"]
    assert page.paginator.count <= 50
    return {referral.reference for referral in page.object_list}


def test_each_alert_links_to_exactly_the_referrals_it_counts(client, pcc_user, provider):
    kent = area(KENT)
    maidstone = team()
    counted = by_quarter(provider, maidstone, [20, 22, 18, 20, 3])
    # Others in the same quarter: another team and category, another offence group, another area.
    other = received(provider, team("Canterbury custody", "custody"), JUDGED.start, 2, offence_group="theft_offences")
    received(provider, team("Essex response", code=ESSEX), JUDGED.start, 2)
    found = alerts()
    window = "received_from=2025-07-01&received_to=2025-09-30"
    assert one(found, AlertKind.TEAM).link == f"{REFERRALS}?area={kent.pk}&team={maidstone.pk}&{window}"
    assert one(found, AlertKind.TEAM_CATEGORY).link == f"{REFERRALS}?area={kent.pk}&team_category=response&{window}"
    assert one(found, AlertKind.OFFENCE_GROUP).link == f"{REFERRALS}?area={kent.pk}&offence_group=robbery&{window}"
    client.force_login(pcc_user)
    expected = {referral.reference for referral in counted}
    assert len(expected) == 3
    for alert in found:
        assert listed(client, alert.link) == expected
    # The filter is what narrows the list: the quarter alone shows the others too.
    everything = listed(client, f"{REFERRALS}?area={kent.pk}&{window}")
    assert everything == expected | {referral.reference for referral in other}


def test_the_gap_tables_link_each_row_to_its_referrals(client, pcc_user, provider):
    kent = area(KENT)
    maidstone, canterbury = team(), team("Canterbury custody", "custody")
    mine = received(provider, maidstone, date(2025, 5, 1), 3)
    theirs = received(provider, canterbury, date(2025, 8, 1), 2, offence_group="theft_offences")
    received(provider, maidstone, date(2025, 1, 10), 4)  # the year before: outside the dashboard's year
    client.force_login(pcc_user)
    response = client.get(KENT_DASHBOARD)
    tables = response.context["tables"]
    window = "received_from=2025-04-01&received_to=2026-03-31"
    teams = dict(zip((row[0] for row in tables["teams"].rows), tables["teams"].links, strict=True))
    assert teams["Maidstone response"] == f"{REFERRALS}?area={kent.pk}&team={maidstone.pk}&{window}"
    assert listed(client, teams["Maidstone response"]) == {referral.reference for referral in mine}
    categories = dict(
        zip((row[0] for row in tables["team_categories"].rows), tables["team_categories"].links, strict=True)
    )
    assert listed(client, categories["Custody"]) == {referral.reference for referral in theirs}
    assert listed(client, categories["Court"]) == set()
    groups = dict(zip((row[0] for row in tables["crime_type"].rows), tables["crime_type"].links, strict=True))
    assert groups["Robbery"] == f"{REFERRALS}?area={kent.pk}&offence_group=robbery&{window}"
    assert listed(client, groups["Theft offences"]) == {referral.reference for referral in theirs}
    # The tables' downloads stay plain text.
    rows = csv_rows(client.get(KENT_DASHBOARD, {"export": "teams"}))
    assert rows[1][0] == "Maidstone response"


def test_the_gap_tables_rows_link_to_their_referrals_on_the_page(client, pcc_user, provider):
    kent = area(KENT)
    maidstone = team()
    received(provider, maidstone, date(2025, 5, 1), 3)
    client.force_login(pcc_user)
    html = client.get(KENT_DASHBOARD).content.decode()
    window = "received_from=2025-04-01&received_to=2026-03-31"
    for link, text in [
        (f"{REFERRALS}?area={kent.pk}&team={maidstone.pk}&{window}", "Maidstone response"),
        (f"{REFERRALS}?area={kent.pk}&team_category=response&{window}", "Response"),
        (f"{REFERRALS}?area={kent.pk}&offence_group=robbery&{window}", "Robbery"),
    ]:
        assert f'<a class="govuk-link" href="{escape(link)}">{text}</a>' in html


def test_gap_links_carry_the_dashboards_filters_or_are_left_out(client, pcc_user, provider):
    kent = area(KENT)
    received(provider, team(), date(2025, 5, 1), 3)
    client.force_login(pcc_user)
    tables = client.get(KENT_DASHBOARD, {"year": 2025, "quarter": 1, "initiator": "victim"}).context["tables"]
    assert tables["teams"].links[0].endswith("&initiator=victim&received_from=2025-04-01&received_to=2025-06-30")
    tables = client.get(KENT_DASHBOARD, {"year": 2025, "offence_group": "robbery"}).context["tables"]
    groups = dict(zip((row[0] for row in tables["crime_type"].rows), tables["crime_type"].links, strict=True))
    assert groups["Robbery"] == f"{REFERRALS}?area={kent.pk}&offence_group=robbery&{window_of(2025)}"
    assert groups["Theft offences"] is None  # counts none under the filter: nothing to list
    # The referral list has no criminal-justice-stage filter, so no link could list exactly those.
    tables = client.get(KENT_DASHBOARD, {"year": 2025, "justice_stage": "pre_sentence"}).context["tables"]
    assert set(tables["teams"].links) == {None}


def window_of(start_year):
    return f"received_from={start_year}-04-01&received_to={start_year + 1}-03-31"


# On the area dashboard ---------------------------------------------------------------------------


def csv_rows(response):
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


def alerts_section(client):
    """The dashboard's change-alerts section, rendered from the page's own context."""
    response = client.get(KENT_DASHBOARD)
    assert response.status_code == 200
    context = {name: response.context[name] for name in ("report", "tables", "csv_urls")}
    return render_to_string("dashboard/includes/change_alerts.html", context)


def test_the_dashboard_lists_the_alerts_with_links_and_the_rule(client, pcc_user, provider):
    kent = area(KENT)
    maidstone = team()
    by_quarter(provider, maidstone, [20, 22, 18, 20, 3])
    client.force_login(pcc_user)
    html = alerts_section(client)
    assert "Change since the last quarter" in html
    assert "Q2 2025/26 (July to September 2025)" in html
    assert "less than once in 1,000 times" in html
    link = f"{REFERRALS}?area={kent.pk}&team={maidstone.pk}&received_from=2025-07-01&received_to=2025-09-30"
    assert f'<a class="govuk-link" href="{escape(link)}">Maidstone response</a>' in html
    assert "about 1 in 310,000" in html
    # Whatever the period chosen, the section is about the last complete quarter.
    report = client.get(KENT_DASHBOARD, {"year": 2023}).context["report"]
    assert [alert.name for alert in report.change_alerts.alerts if alert.kind == AlertKind.TEAM] == [
        "Maidstone response"
    ]


def test_the_dashboard_says_when_nothing_fell(client, pcc_user, provider):
    by_quarter(provider, team(), [20, 22, 18, 20, 15])
    client.force_login(pcc_user)
    html = alerts_section(client)
    assert "Change since the last quarter" in html
    assert "No team, team category or offence group fell below what chance would explain." in html
    assert "<table" not in html


def test_the_alerts_download_as_csv_and_in_the_workbook(client, pcc_user, provider):
    by_quarter(provider, team(), [20, 22, 18, 20, 3])
    client.force_login(pcc_user)
    rows = csv_rows(client.get(KENT_DASHBOARD, {"export": "change_alerts"}))
    assert rows[0] == [
        "Team, category or offence group",
        "Kind",
        "Referrals in the quarter",
        "Average of the previous four quarters",
        "Same quarter a year earlier",
        "Compared with",
        "Chance of a count this low",
    ]
    assert [
        "Maidstone response",
        "Referring team",
        "3",
        "20.0",
        "20",
        "Average of the previous four quarters",
        "about 1 in 310,000",
    ] in rows
    assert len(rows) == 4
    assert not any("<a" in cell for row in rows for cell in row)
    book = load_workbook(io.BytesIO(client.get(KENT_DASHBOARD, {"format": "xlsx"}).content))
    sheet = [list(row) for row in book["change_alerts"].values]
    assert sheet[0][0] == "Falls in referrals beyond chance, Q2 2025/26 (July to September 2025)"
    assert sheet[2][:6] == ["Maidstone response", "Referring team", 3, 20, 20, "Average of the previous four quarters"]


@pytest.mark.parametrize(
    ("persona", "status"),
    [("admin", 200), ("pcc", 200), ("other_pcc", 404), ("provider", 403), ("moderator", 403)],
    indirect=["persona"],
)
def test_who_sees_kents_alerts(client, persona, status, provider):
    by_quarter(provider, team(), [20, 22, 18, 20, 3])
    client.force_login(persona)
    response = client.get(KENT_DASHBOARD, {"export": "change_alerts"})
    assert response.status_code == status
    if status == 200:
        assert "Maidstone response" in "".join(row[0] for row in csv_rows(response))


def test_essex_sees_its_own_alerts_not_kents(client, other_pcc_user, provider):
    by_quarter(provider, team(), [20, 22, 18, 20, 3])
    essex_provider = ProviderFactory(areas=[area(ESSEX)])
    by_quarter(essex_provider, team("Chelmsford response", code=ESSEX), [10, 10, 10, 10, 0])
    client.force_login(other_pcc_user)
    rows = csv_rows(client.get(reverse("dashboard:area", kwargs={"code": ESSEX}), {"export": "change_alerts"}))
    names = [row[0] for row in rows[1:]]
    assert "Chelmsford response" in names
    assert "Maidstone response" not in names


def _page_queries(client):
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        assert client.get(KENT_DASHBOARD).status_code == 200
    return len(captured)


def test_the_alerts_cost_the_dashboard_a_fixed_number_of_queries(client, pcc_user, provider):
    by_quarter(provider, team(), [0, 0, 0, 0, 1])
    client.force_login(pcc_user)
    few = _page_queries(client)
    for number, category in enumerate(("response", "custody", "court", "probation")):
        by_quarter(provider, team(f"Team {number}", category), [20, 22, 18, 20, 3], offence_group="theft_offences")
        by_quarter(provider, team(f"Other {number}", category), [6, 7, 8, 9, 5])
    assert len(alerts()) > 4
    assert _page_queries(client) == few


# manage.py send_change_alerts ------------------------------------------------------------------


def run(day, *args):
    """Run the command as cron would on `day`; return its output."""
    out = StringIO()
    with time_machine.travel(day, tick=False):
        call_command("send_change_alerts", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def alert_events():
    return AuditEvent.objects.filter(summary__startswith="Change alerts")


@pytest.fixture
def office():
    return PccOfficeFactory(name="Kent PCC office", email="rj@kent-pcc.example.org", areas=[area(KENT)])


@pytest.fixture
def falling(provider):
    """Maidstone response: 20, 22, 18, 20, then 3 in July to September 2025, and none in
    October to December 2025."""
    maidstone = team()
    by_quarter(provider, maidstone, [20, 22, 18, 20, 3])
    return maidstone


def test_the_digest_is_sent_once(office, falling):
    output = run(TODAY, "--site-url", "https://rjportal.example.org/")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["rj@kent-pcc.example.org"]
    assert message.subject == "RJ referrals fell in Kent: 3 change alerts for Q2 2025/26 (July to September 2025)"
    assert "Hello Kent PCC office," in message.body
    assert "Referring team: Maidstone response" in message.body
    assert "3 referrals in the quarter, against an average of 20.0 a quarter in the four quarters before" in (
        message.body
    )
    link = f"https://rjportal.example.org{REFERRALS}?area={area(KENT).pk}&team={falling.pk}"
    assert f"The referrals: {link}&received_from=2025-07-01&received_to=2025-09-30" in message.body
    assert f"https://rjportal.example.org{KENT_DASHBOARD}" in message.body
    sent = SentChangeAlert.objects.order_by("kind")
    assert [(row.kind, row.key, row.observed, row.recipients) for row in sent] == [
        ("offence_group", "robbery", 3, 1),
        ("team", str(falling.pk), 3, 1),
        ("team_category", "response", 3, 1),
    ]
    assert {row.quarter_start for row in sent} == {date(2025, 7, 1)}
    assert "Sent 3 alert(s) for Kent (Maidstone response; Response; Robbery) to Kent PCC office" in output
    (event,) = alert_events()
    assert event.actor is None
    assert event.changes["quarter_start"] == "2025-07-01"
    assert event.changes["areas"][0]["area"] == "Kent"
    assert event.changes["areas"][0]["offices"] == ["Kent PCC office"]

    # Again the same day, the next day and a month later: nothing new, nothing sent.
    for day in (TODAY, TODAY + timedelta(days=1), date(2025, 12, 31)):
        output = run(day)
        assert len(mail.outbox) == 1
        assert "Sent 0 alert(s) for 0 area(s) in 0 email(s)" in output
    assert SentChangeAlert.objects.count() == 3
    assert alert_events().count() == 1


def test_the_next_quarter_brings_a_new_alert(office, falling):
    run(TODAY)
    assert len(mail.outbox) == 1
    # On 5 January 2026, October to December 2025 is judged: none, against 22 a year earlier
    # (P = e^-22) and an average of (22 + 18 + 20 + 3) / 4 = 15.75.
    run(date(2026, 1, 5))
    assert len(mail.outbox) == 2
    assert "Q3 2025/26 (October to December 2025)" in mail.outbox[1].subject
    assert "0 referrals in the quarter, against 22 in the same quarter a year earlier" in mail.outbox[1].body
    assert set(SentChangeAlert.objects.values_list("quarter_start", flat=True)) == {date(2025, 7, 1), date(2025, 10, 1)}
    run(date(2026, 1, 6))
    assert len(mail.outbox) == 2


def test_a_new_alert_in_the_same_quarter_is_sent_alone(office, falling, provider):
    run(TODAY)
    # Referrals imported late show another team's fall in the same quarter.
    canterbury = team("Canterbury custody", "custody")
    by_quarter(provider, canterbury, [10, 10, 10, 10, 0])
    run(TODAY + timedelta(days=1))
    assert len(mail.outbox) == 2
    body = mail.outbox[1].body
    assert "Referring team: Canterbury custody" in body
    assert "Team category: Custody" in body
    assert "Maidstone response" not in body
    assert "Offence group: Robbery" not in body  # still falling, but already sent for the quarter
    assert SentChangeAlert.objects.count() == 5


def test_an_office_without_a_shared_address_is_told_through_each_active_member(falling):
    office = PccOfficeFactory(name="Kent PCC office", email="", areas=[area(KENT)])
    for email in ("b@kent-pcc.example.org", "a@kent-pcc.example.org"):
        PccStaffFactory(email=email, organisation=office)
    PccStaffFactory(email="gone@kent-pcc.example.org", organisation=office, is_active=False)
    run(TODAY)
    assert [message.to for message in mail.outbox] == [["a@kent-pcc.example.org"], ["b@kent-pcc.example.org"]]
    assert set(SentChangeAlert.objects.values_list("recipients", flat=True)) == {2}


def test_an_area_nobody_can_hear_is_tried_again_later(falling):
    office = PccOfficeFactory(name="Kent PCC office", email="", areas=[area(KENT)])
    output = run(TODAY)
    assert mail.outbox == []
    assert SentChangeAlert.objects.count() == 0
    assert "Nobody to tell about 3 alert(s) for Kent" in output
    office.email = "rj@kent-pcc.example.org"
    office.save()
    run(TODAY + timedelta(days=1))
    assert len(mail.outbox) == 1
    assert SentChangeAlert.objects.count() == 3


def test_areas_without_alerts_or_without_an_office_send_nothing(office, provider):
    by_quarter(provider, team(), [20, 22, 18, 20, 15])
    by_quarter(ProviderFactory(areas=[area(ESSEX)]), team("Essex response", code=ESSEX), [10, 10, 10, 10, 0])
    output = run(TODAY)
    assert mail.outbox == []
    assert SentChangeAlert.objects.count() == 0
    assert alert_events().count() == 0
    assert "Sent 0 alert(s) for 0 area(s)" in output


def test_a_dry_run_sends_and_records_nothing(office, falling):
    output = run(TODAY, "--dry-run")
    assert mail.outbox == []
    assert SentChangeAlert.objects.count() == 0
    assert alert_events().count() == 0
    assert "Would send 3 alert(s) for Kent" in output
    assert "Dry run: nothing was sent or recorded." in output


def test_a_mail_failure_records_nothing_so_the_next_run_tries_again(office, falling):
    failing = mock.patch("dashboard.services.send_mail", side_effect=OSError("Connection refused"))
    with failing, pytest.raises(CommandError):
        run(TODAY)
    assert SentChangeAlert.objects.count() == 0
    assert alert_events().count() == 0
    run(TODAY)
    assert len(mail.outbox) == 1
    assert SentChangeAlert.objects.count() == 3


def test_a_run_racing_another_sends_nothing_twice(office, falling):
    SentChangeAlert.objects.create(
        area=area(KENT),
        quarter_start=JUDGED.start,
        kind="team",
        key=str(falling.pk),
        name="Maidstone response",
        observed=3,
        baseline="previous_four",
        expected=20,
        recipients=1,
    )
    # The digest is built from the other two; as if the first had been recorded meanwhile, the
    # constraint stops the whole area's digest, unsent.
    with mock.patch("dashboard.services.change_alerts_due") as due:
        due.return_value = [
            AreaDigest(
                area=area(KENT),
                quarter=JUDGED,
                alerts=alerts(),
                offices=[(office, ["rj@kent-pcc.example.org"])],
            )
        ]
        run_result = change_alerts_send(today=TODAY)
    assert mail.outbox == []
    assert run_result.sent == []
    assert SentChangeAlert.objects.count() == 1
