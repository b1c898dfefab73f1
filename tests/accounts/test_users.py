import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from rjportal.accounts.constants import Role
from rjportal.accounts.models import User
from rjportal.accounts.services import user_create
from rjportal.areas.models import PoliceArea
from rjportal.audit.models import AuditEvent
from tests.factories import ESSEX, KENT, PccOfficeFactory, ProviderFactory, area

pytestmark = pytest.mark.django_db


def test_user_create_stores_one_spelling_of_the_email_and_audits(admin_user):
    office = PccOfficeFactory()
    user = user_create(actor=admin_user, email=" Jo.Bloggs@Example.org ", role=Role.PCC_STAFF, organisation=office)
    assert user.email == "jo.bloggs@example.org"
    assert not user.has_usable_password()
    assert AuditEvent.objects.for_target(user).get().summary == (
        f"Added PCC office staff jo.bloggs@example.org at {office.name}"
    )


def test_emails_are_unique_ignoring_case(admin_user):
    user_create(actor=admin_user, email="jo@example.org", role=Role.PLEDGE_MODERATOR)
    with pytest.raises(ValidationError):
        user_create(actor=admin_user, email="JO@example.org", role=Role.PLEDGE_MODERATOR)


def test_pcc_staff_must_belong_to_a_pcc_office(admin_user):
    with pytest.raises(ValidationError, match="Choose the PCC office"):
        user_create(actor=admin_user, email="a@example.org", role=Role.PCC_STAFF)
    with pytest.raises(ValidationError, match="must belong to a PCC office, not a RJ provider"):
        user_create(actor=admin_user, email="a@example.org", role=Role.PCC_STAFF, organisation=ProviderFactory())
    assert not User.objects.filter(email="a@example.org").exists()


def test_database_refuses_organisation_staff_without_an_organisation():
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(email="b@example.org", role=Role.PROVIDER_STAFF)


def test_only_national_admins_reach_the_admin_screens(admin_user, pcc_user, moderator_user):
    assert admin_user.is_staff and admin_user.has_perm("organisations.add_organisation")
    assert not pcc_user.is_staff and not pcc_user.has_perm("organisations.add_organisation")
    assert not moderator_user.is_staff


def test_an_inactive_admin_loses_admin_rights(admin_user):
    admin_user.is_active = False
    assert not admin_user.is_national_admin


def test_area_scope_follows_the_organisation(admin_user, pcc_user, provider_user, moderator_user):
    assert PoliceArea.objects.for_user(admin_user).count() == 43
    assert list(PoliceArea.objects.for_user(pcc_user)) == [area(KENT)]
    assert list(PoliceArea.objects.for_user(provider_user)) == [area(KENT)]
    assert not PoliceArea.objects.for_user(moderator_user).exists()
    pcc_user.organisation.areas.add(area(ESSEX))
    assert PoliceArea.objects.for_user(pcc_user).count() == 2
