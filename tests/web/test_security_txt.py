"""/.well-known/security.txt (RFC 9116)."""

from datetime import UTC, datetime

import time_machine


def test_security_txt_names_a_contact_and_expires_within_a_year(client, settings):
    settings.SECURITY_CONTACT = "mailto:security@example.org"
    with time_machine.travel(datetime(2026, 12, 1, 21, 30, tzinfo=UTC), tick=False):
        response = client.get("/.well-known/security.txt")
    assert response.status_code == 200  # no sign-in needed
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode().splitlines() == [
        "Contact: mailto:security@example.org",
        "Expires: 2027-12-01T00:00:00Z",
        "Preferred-Languages: en",
        "Canonical: http://testserver/.well-known/security.txt",
    ]


def test_security_txt_has_a_default_contact(client):
    assert "Contact: mailto:security@rjportal.invalid" in client.get("/.well-known/security.txt").content.decode()


def test_security_txt_answers_only_get(client):
    assert client.post("/.well-known/security.txt").status_code == 405
