"""The public register, area pages, privacy notice and open data."""

import csv
import io
import json
import re

import pytest
from django.urls import reverse

from pledges.constants import OPEN_DATA_LICENCE, PledgeRole, PledgeStatus
from tests.factories import DYFED_POWYS, ESSEX, KENT, area

from .factories import CampaignFactory, PledgeFactory, PublishedPledgeFactory

PERSONAS = ["anonymous", "admin", "pcc", "provider", "moderator"]


@pytest.fixture
def register(db):
    """2024: Kent's PCC and a Kent candidate, an Essex candidate, and pledges that are not
    published (awaiting review, rejected, withdrawn) which must never show."""
    campaign_2021 = CampaignFactory(title="2021 PCC elections", election_date="2021-05-06")
    campaign_2024 = CampaignFactory(title="2024 PCC elections", election_date="2024-05-02")
    PublishedPledgeFactory(campaign=campaign_2024, name="Kent Leader", role=PledgeRole.PCC, party="Blue")
    PublishedPledgeFactory(campaign=campaign_2024, name="Kent Hopeful", party="Red", email="hopeful@example.org")
    PublishedPledgeFactory(campaign=campaign_2024, name="Essex Hopeful", area=area(ESSEX), party="Green")
    PublishedPledgeFactory(campaign=campaign_2021, name="Old Kent Leader", role=PledgeRole.PFCC)
    PledgeFactory(campaign=campaign_2024, name="Awaiting Review", role=PledgeRole.PCC, area=area(DYFED_POWYS))
    PledgeFactory(campaign=campaign_2024, name="Was Rejected", status=PledgeStatus.REJECTED, rejection_reason="Fake")
    PledgeFactory(campaign=campaign_2024, name="Has Withdrawn", status=PledgeStatus.WITHDRAWN)
    return campaign_2021, campaign_2024


@pytest.mark.parametrize("persona", PERSONAS, indirect=True)
def test_register_is_public_and_shows_the_latest_campaign(client, register, persona):
    if persona:
        client.force_login(persona)
    response = client.get(reverse("pledges:register"))
    assert response.status_code == 200
    text = response.text
    assert "2024 PCC elections" in text
    assert "Kent Leader" in text and "Essex Hopeful" in text
    assert "Old Kent Leader" not in text
    for hidden in ("Awaiting Review", "Was Rejected", "Has Withdrawn", "hopeful@example.org"):
        assert hidden not in text
    assert not re.search(r"signer\d+@", text)


def test_register_counts_areas_with_an_elected_leaders_pledge(client, register):
    response = client.get(reverse("pledges:register"))
    counts = response.context["counts"]
    assert counts == {"pledges": 3, "areas": 2, "leader_areas": 1, "total_areas": 43}
    assert "1 of 43" in response.text


def test_register_has_a_map_with_a_table_alternative(client, register):
    response = client.get(reverse("pledges:register"))
    chart = response.context["chart"]
    assert len(chart.table["rows"]) == 43
    rows = dict(chart.table["rows"])
    assert rows["Kent"] == "Elected leader signed"
    assert rows["Essex"] == "Signed by others only"
    assert rows["Dyfed-Powys"] == "No published pledge"
    assert 'data-rj-chart="pledge-map-data"' in response.text
    assert "js/charts.js" in response.text
    # The chart pages' one CSP allowance is applied.
    assert "unsafe-hashes" in response.headers["Content-Security-Policy"]


def test_register_can_show_another_campaign(client, register):
    campaign_2021, _ = register
    response = client.get(reverse("pledges:register"), {"campaign": campaign_2021.pk})
    assert "Old Kent Leader" in response.text
    assert "Kent Hopeful" not in response.text
    assert response.context["counts"]["leader_areas"] == 1


@pytest.mark.parametrize(
    ("filters", "names"),
    [
        ({"area": "ESSEX"}, {"Essex Hopeful"}),
        ({"role": "pcc"}, {"Kent Leader"}),
        ({"party": "Red"}, {"Kent Hopeful"}),
    ],
)
def test_register_filters(client, register, filters, names):
    if "area" in filters:
        filters = {"area": area(ESSEX).pk}
    response = client.get(reverse("pledges:register"), filters)
    assert {pledge.name for pledge in response.context["pledges"]} == names


def test_register_with_no_campaigns(client, db):
    response = client.get(reverse("pledges:register"))
    assert response.status_code == 200
    assert "No pledge campaigns have been run yet" in response.text


@pytest.mark.parametrize("persona", PERSONAS, indirect=True)
def test_area_page_lists_signatories_across_campaigns(client, register, persona):
    if persona:
        client.force_login(persona)
    response = client.get(reverse("pledges:area", kwargs={"code": KENT}))
    assert response.status_code == 200
    text = response.text
    assert "Kent Leader" in text and "Old Kent Leader" in text
    assert text.index("2024 PCC elections") < text.index("2021 PCC elections")
    assert "Essex Hopeful" not in text and "Was Rejected" not in text


def test_area_page_for_an_unknown_code_is_404(client, db):
    assert client.get(reverse("pledges:area", kwargs={"code": "E99999999"})).status_code == 404


@pytest.mark.parametrize("persona", PERSONAS, indirect=True)
def test_privacy_notice_is_public(client, db, persona, settings):
    settings.PLEDGE_CONTACT_EMAIL = "pledges@example.org"
    if persona:
        client.force_login(persona)
    response = client.get(reverse("pledges:privacy"))
    assert response.status_code == 200
    assert "6 months after a campaign closes" in response.text
    assert 'href="mailto:pledges@example.org"' in response.text


def read_csv(response):
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


@pytest.mark.parametrize("persona", PERSONAS, indirect=True)
def test_open_data_csv_has_published_pledges_only_and_no_emails(client, register, persona):
    if persona:
        client.force_login(persona)
    response = client.get(reverse("pledges:register_csv"))
    assert response.status_code == 200
    assert OPEN_DATA_LICENCE in response["X-Licence"]
    rows = read_csv(response)
    assert {row["name"] for row in rows} == {"Kent Leader", "Kent Hopeful", "Essex Hopeful", "Old Kent Leader"}
    assert all(row["licence"] == OPEN_DATA_LICENCE for row in rows)
    assert "email" not in rows[0]
    assert not any("@" in value for row in rows for value in row.values())


def test_open_data_csv_follows_the_filters(client, register):
    _, campaign_2024 = register
    rows = read_csv(client.get(reverse("pledges:register_csv"), {"campaign": campaign_2024.pk, "role": "pcc"}))
    assert [row["name"] for row in rows] == ["Kent Leader"]
    assert rows[0]["area_code"] == KENT


def test_open_data_csv_neutralises_formulas(client, db):
    PublishedPledgeFactory(name="=HYPERLINK(1)")
    rows = read_csv(client.get(reverse("pledges:register_csv")))
    assert rows[0]["name"] == "'=HYPERLINK(1)"


@pytest.mark.parametrize("persona", PERSONAS, indirect=True)
def test_open_data_json_states_the_licence_and_has_no_emails(client, register, persona):
    if persona:
        client.force_login(persona)
    response = client.get(reverse("pledges:register_json"))
    assert response.status_code == 200
    data = json.loads(response.content)
    assert data["licence"]["name"] == OPEN_DATA_LICENCE
    assert data["count"] == 4
    assert "@" not in response.content.decode()
    assert {pledge["name"] for pledge in data["pledges"]} >= {"Kent Leader", "Old Kent Leader"}
    assert set(data["pledges"][0]) == {
        "campaign", "election_date", "name", "role", "party", "area_code", "area_name", "statement",
        "pledge_text", "source", "published_on",
    }  # fmt: skip
