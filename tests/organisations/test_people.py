"""People: national administrators, and staff who manage their organisation's users, invite
people (a single-use, expiring link to set a password), change their role or organisation and
deactivate them. Every change is audited."""

import csv
import io
import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from rjportal.accounts.constants import Role
from rjportal.accounts.models import User
from rjportal.accounts.roles import PEOPLE, tasks_for
from rjportal.accounts.services import user_change, user_deactivate, user_invite
from rjportal.audit.models import AuditEvent
from tests.factories import KENT, PccStaffFactory, ProviderFactory, ProviderStaffFactory, area

pytestmark = pytest.mark.django_db

PEOPLE_URL = reverse("organisations:people")
INVITE_URL = reverse("organisations:person_invite")
SITE = "http://testserver/"


@pytest.fixture
def pcc_manager(pcc_user):
    """A Kent PCC office member who manages the office's users."""
    return PccStaffFactory(
        email="manager@example.org", organisation=pcc_user.organisation, manages_users=True, full_name="Mina Manager"
    )


@pytest.fixture
def provider_manager(provider_user):
    return ProviderStaffFactory(
        email="provider.manager@example.org", organisation=provider_user.organisation, manages_users=True
    )


def change_url(person):
    return reverse("organisations:person_change", kwargs={"pk": person.pk})


def deactivate_url(person):
    return reverse("organisations:person_deactivate", kwargs={"pk": person.pk})


def invitation_link(message) -> str:
    return re.search(r"http://testserver(/accounts/invitation/\S+/)", message.body).group(1)


# Access, per persona ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("admin_user", 200),
        ("pcc_manager", 200),
        ("provider_manager", 200),
        ("pcc_user", 403),
        ("provider_user", 403),
        ("moderator_user", 403),
    ],
)
@pytest.mark.parametrize("url", [PEOPLE_URL, INVITE_URL])
def test_who_may_open_the_people_pages(client, request, who, status, url):
    client.force_login(request.getfixturevalue(who))
    assert client.get(url).status_code == status


@pytest.mark.parametrize("url", [PEOPLE_URL, INVITE_URL])
def test_anonymous_people_are_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_the_list_shows_admins_everyone_and_managers_their_own_staff(
    client, admin_user, pcc_manager, pcc_user, other_pcc_user, provider_user
):
    client.force_login(admin_user)
    emails = {person.email for person in client.get(PEOPLE_URL).context["people"]}
    assert {"admin@example.org", "pcc@example.org", "pcc.essex@example.org", "provider@example.org"} <= emails

    client.force_login(pcc_manager)
    emails = {person.email for person in client.get(PEOPLE_URL).context["people"]}
    assert emails == {"pcc@example.org", "manager@example.org"}


def test_search_and_csv_share_one_filter(client, admin_user, pcc_user, other_pcc_user):
    client.force_login(admin_user)
    response = client.get(PEOPLE_URL, {"q": "essex"})
    assert [person.email for person in response.context["people"]] == ["pcc.essex@example.org"]
    response = client.get(PEOPLE_URL, {"q": "essex", "format": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:3] == ["Email", "Name", "Role"]
    assert [row[0] for row in rows[1:]] == ["pcc.essex@example.org"]


def test_deactivated_people_are_listed_only_when_asked_for(client, admin_user, pcc_user):
    pcc_user.is_active = False
    pcc_user.save()
    client.force_login(admin_user)
    assert pcc_user not in client.get(PEOPLE_URL).context["people"]
    assert list(client.get(PEOPLE_URL, {"status": "deactivated"}).context["people"]) == [pcc_user]


def test_managers_get_404_for_people_outside_their_organisation(client, pcc_manager, other_pcc_user, admin_user):
    client.force_login(pcc_manager)
    for person in (other_pcc_user, admin_user):
        assert client.get(change_url(person)).status_code == 404
        assert client.post(deactivate_url(person)).status_code == 404
    other_pcc_user.refresh_from_db()
    assert other_pcc_user.is_active


def test_provider_manager_changes_their_own_organisations_staff_only(client, provider_manager, provider_user):
    stranger = ProviderStaffFactory(organisation=ProviderFactory(areas=[area(KENT)]))
    client.force_login(provider_manager)
    assert client.get(change_url(provider_user)).status_code == 200
    assert client.get(change_url(stranger)).status_code == 404


def test_the_people_task_is_offered_to_managers_only(pcc_manager, pcc_user, admin_user):
    assert PEOPLE in tasks_for(pcc_manager)
    assert PEOPLE in tasks_for(admin_user)
    assert PEOPLE not in tasks_for(pcc_user)


# Inviting ---------------------------------------------------------------------------------


def test_an_administrator_invites_someone_and_the_link_sets_a_password_once(client, admin_user, pcc_user):
    client.force_login(admin_user)
    response = client.post(
        INVITE_URL,
        {
            "email": " New.Person@Example.org ",
            "full_name": "New Person",
            "role": Role.PCC_STAFF,
            "organisation": pcc_user.organisation.pk,
            "manages_users": "on",
        },
    )
    assert response.status_code == 302
    person = User.objects.get(email="new.person@example.org")
    assert (person.role, person.organisation, person.manages_users) == (Role.PCC_STAFF, pcc_user.organisation, True)
    assert not person.has_usable_password()
    event = AuditEvent.objects.for_target(person).get()
    assert (event.action, event.actor) == ("create", admin_user)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new.person@example.org"]

    client.logout()
    link = invitation_link(mail.outbox[0])
    response = client.get(link, follow=True)
    assert response.context["validlink"]
    set_password_url = response.redirect_chain[-1][0]
    response = client.post(
        set_password_url, {"new_password1": "a-fresh-long-password-9", "new_password2": "a-fresh-long-password-9"}
    )
    assert response.url == reverse("invitation_complete")
    person.refresh_from_db()
    assert person.check_password("a-fresh-long-password-9")
    assert AuditEvent.objects.for_target(person).filter(summary__contains="set a password from an invitation").exists()

    # The same link no longer works.
    client.cookies.clear()
    response = client.get(link, follow=True)
    assert not response.context["validlink"]
    assert "This invitation link does not work" in response.content.decode()


def test_an_invitation_link_expires(client, admin_user, pcc_user):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        user_invite(actor=admin_user, email="late@example.org", role=Role.PLEDGE_MODERATOR, site_url=SITE)
        link = invitation_link(mail.outbox[0])
        traveller.shift(timedelta(days=6, hours=23))
        assert client.get(link, follow=True).context["validlink"]
        client.cookies.clear()
        traveller.shift(timedelta(hours=2))
        assert not client.get(link, follow=True).context["validlink"]


def test_a_deactivated_persons_invitation_stops_working(client, admin_user):
    person = user_invite(actor=admin_user, email="gone@example.org", role=Role.PLEDGE_MODERATOR, site_url=SITE)
    link = invitation_link(mail.outbox[0])
    user_deactivate(actor=admin_user, user=person)
    assert not client.get(link, follow=True).context["validlink"]


def test_a_new_invitation_replaces_the_old_link(client, admin_user):
    person = user_invite(actor=admin_user, email="again@example.org", role=Role.PLEDGE_MODERATOR, site_url=SITE)
    first = invitation_link(mail.outbox[0])
    client.force_login(admin_user)
    client.post(reverse("organisations:person_invitation_resend", kwargs={"pk": person.pk}))
    assert len(mail.outbox) == 2
    client.logout()
    assert not client.get(first, follow=True).context["validlink"]
    client.cookies.clear()
    assert client.get(invitation_link(mail.outbox[1]), follow=True).context["validlink"]


def test_a_manager_invites_only_into_their_own_organisation_and_role(client, pcc_manager, other_pcc_user):
    client.force_login(pcc_manager)
    form = client.get(INVITE_URL).context["form"]
    assert "role" not in form.fields and "organisation" not in form.fields
    response = client.post(
        INVITE_URL,
        {
            "email": "colleague@example.org",
            "full_name": "A Colleague",
            "role": Role.NATIONAL_ADMIN,
            "organisation": other_pcc_user.organisation.pk,
        },
    )
    assert response.status_code == 302
    person = User.objects.get(email="colleague@example.org")
    assert (person.role, person.organisation) == (Role.PCC_STAFF, pcc_user_organisation(pcc_manager))


def pcc_user_organisation(manager):
    return manager.organisation


def test_a_manager_can_never_give_the_administrator_role(pcc_manager):
    with pytest.raises(ValidationError) as error:
        user_invite(
            actor=pcc_manager,
            email="sneaky@example.org",
            role=Role.NATIONAL_ADMIN,
            organisation=pcc_manager.organisation,
            site_url=SITE,
        )
    assert "role" in error.value.message_dict
    assert not User.objects.filter(email="sneaky@example.org").exists()


def test_staff_who_do_not_manage_users_cannot_invite(pcc_user):
    with pytest.raises(PermissionDenied):
        user_invite(
            actor=pcc_user,
            email="x@example.org",
            role=Role.PCC_STAFF,
            organisation=pcc_user.organisation,
            site_url=SITE,
        )


def test_inviting_an_existing_address_is_refused_on_the_field(client, admin_user, pcc_user):
    client.force_login(admin_user)
    response = client.post(
        INVITE_URL,
        {
            "email": "PCC@example.org",
            "full_name": "Dup",
            "role": Role.PCC_STAFF,
            "organisation": pcc_user.organisation.pk,
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["email"] == ["Someone with this email address already has an account"]
    assert "<title>Error: " in response.content.decode()
    assert mail.outbox == []


def test_organisation_staff_need_an_organisation_of_the_right_kind(client, admin_user, provider_user):
    client.force_login(admin_user)
    response = client.post(
        INVITE_URL,
        {
            "email": "wrong@example.org",
            "full_name": "Wrong",
            "role": Role.PCC_STAFF,
            "organisation": provider_user.organisation.pk,
        },
    )
    assert response.status_code == 200
    assert "organisation" in response.context["form"].errors
    assert not User.objects.filter(email="wrong@example.org").exists()


def test_the_email_tells_second_factor_roles_to_set_one_up(admin_user, settings):
    settings.TWO_FACTOR_REQUIRED = True
    user_invite(actor=admin_user, email="mod@example.org", role=Role.PLEDGE_MODERATOR, site_url=SITE)
    assert "two-factor sign-in" in mail.outbox[0].body


# Changing and deactivating -----------------------------------------------------------------


def test_an_administrator_changes_a_role_and_organisation(client, admin_user, pcc_user, other_pcc_user):
    client.force_login(admin_user)
    response = client.post(
        change_url(pcc_user),
        {"full_name": "Moved", "role": Role.PCC_STAFF, "organisation": other_pcc_user.organisation.pk},
    )
    assert response.status_code == 302
    pcc_user.refresh_from_db()
    assert (pcc_user.full_name, pcc_user.organisation) == ("Moved", other_pcc_user.organisation)
    event = AuditEvent.objects.for_target(pcc_user).get()
    assert event.actor == admin_user and "organisation" in event.changes


def test_a_manager_grants_managing_users_to_a_colleague(client, pcc_manager, pcc_user):
    client.force_login(pcc_manager)
    response = client.post(change_url(pcc_user), {"full_name": "Colleague", "manages_users": "on"})
    assert response.status_code == 302
    pcc_user.refresh_from_db()
    assert pcc_user.manages_users and pcc_user.role == Role.PCC_STAFF


def test_moderators_cannot_manage_users(admin_user, moderator_user):
    with pytest.raises(ValidationError) as error:
        user_change(
            actor=admin_user, user=moderator_user, full_name="M", role=Role.PLEDGE_MODERATOR, manages_users=True
        )
    assert "manages_users" in error.value.message_dict


def test_deactivating_asks_first_then_switches_the_account_off(client, pcc_manager, pcc_user):
    client.force_login(pcc_manager)
    response = client.get(deactivate_url(pcc_user))
    assert "Deactivate" in response.content.decode()
    pcc_user.refresh_from_db()
    assert pcc_user.is_active
    response = client.post(deactivate_url(pcc_user))
    assert response.status_code == 302
    pcc_user.refresh_from_db()
    assert not pcc_user.is_active
    assert AuditEvent.objects.for_target(pcc_user).get().actor == pcc_manager
    # They can no longer sign in.
    client.logout()
    response = client.post(reverse("login"), {"username": "pcc@example.org", "password": "a-long-test-password-1"})
    assert response.status_code == 200


def test_nobody_deactivates_themselves(client, admin_user):
    client.force_login(admin_user)
    response = client.post(deactivate_url(admin_user))
    assert response.status_code == 200
    assert "You cannot deactivate your own account" in response.content.decode()
    admin_user.refresh_from_db()
    assert admin_user.is_active


# Organisations ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [("admin_user", 200), ("pcc_manager", 403), ("pcc_user", 403), ("provider_user", 403), ("moderator_user", 403)],
)
def test_only_administrators_add_organisations(client, request, who, status):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("organisations:create")).status_code == status


def test_an_administrator_adds_and_changes_an_organisation(client, admin_user):
    from rjportal.organisations.models import Organisation

    client.force_login(admin_user)
    response = client.post(
        reverse("organisations:create"),
        {"name": "Kent RJ Hub", "kind": "rj_provider", "areas": [area(KENT).pk], "website": "https://kent.example"},
    )
    organisation = Organisation.objects.get(name="Kent RJ Hub")
    assert response.url == organisation.get_absolute_url()
    response = client.post(
        reverse("organisations:update", kwargs={"pk": organisation.pk}),
        {"name": "Kent RJ Hub", "kind": "rj_provider", "areas": [], "website": "javascript:alert(1)"},
    )
    assert set(response.context["form"].errors) == {"areas", "website"}
    assert AuditEvent.objects.for_target(organisation).count() == 1


def test_the_organisation_page_leads_managers_and_administrators_to_its_people(
    client, admin_user, pcc_manager, pcc_user
):
    detail = reverse("organisations:detail", kwargs={"pk": pcc_user.organisation.pk})
    people = reverse("organisations:people")
    client.force_login(pcc_manager)
    assert f'href="{people}"' in client.get(detail).content.decode()
    client.force_login(pcc_user)
    assert f'href="{people}' not in client.get(detail).content.decode()
    client.force_login(admin_user)
    content = client.get(detail).content.decode()
    assert f'href="{people}?organisation={pcc_user.organisation.pk}"' in content
    assert reverse("organisations:update", kwargs={"pk": pcc_user.organisation.pk}) in content
