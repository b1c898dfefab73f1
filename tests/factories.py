import datetime

import factory
from factory.django import DjangoModelFactory

from rjportal.accounts.constants import Role
from rjportal.accounts.models import User
from rjportal.areas.models import PoliceArea
from rjportal.organisations.constants import OrganisationKind
from rjportal.organisations.models import Organisation

TEST_PASSWORD = "a-long-test-password-1"


def area(code: str) -> PoliceArea:
    """The 43 areas are loaded by migration, so tests fetch them rather than build them."""
    return PoliceArea.objects.get(code=code)


KENT = "E23000032"
ESSEX = "E23000028"
DYFED_POWYS = "W15000004"


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Organisation {n}")
    kind = OrganisationKind.PCC_OFFICE

    @factory.post_generation
    def areas(self, create, extracted, **kwargs):
        if create:
            self.areas.set(extracted if extracted is not None else [area(KENT)])


class PccOfficeFactory(OrganisationFactory):
    name = factory.Sequence(lambda n: f"PCC office {n}")
    kind = OrganisationKind.PCC_OFFICE


class ProviderFactory(OrganisationFactory):
    name = factory.Sequence(lambda n: f"RJ provider {n}")
    kind = OrganisationKind.RJ_PROVIDER


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Faker("name", locale="en_GB")
    role = Role.NATIONAL_ADMIN
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def save_password(self, create, extracted, **kwargs):
        if create:
            self.save()


class AdminFactory(UserFactory):
    role = Role.NATIONAL_ADMIN


class PccStaffFactory(UserFactory):
    role = Role.PCC_STAFF
    organisation = factory.SubFactory(PccOfficeFactory)


class ProviderStaffFactory(UserFactory):
    role = Role.PROVIDER_STAFF
    organisation = factory.SubFactory(ProviderFactory)


class ModeratorFactory(UserFactory):
    role = Role.PLEDGE_MODERATOR


class ReferringTeamFactory(DjangoModelFactory):
    class Meta:
        model = "referrals.ReferringTeam"

    area = factory.LazyFunction(lambda: area(KENT))
    name = factory.Sequence(lambda n: f"Team {n}")
    category = "neighbourhood"


class ReferralFactory(DjangoModelFactory):
    """A valid referral at the 'referred' stage, received by a Kent provider in January 2026.
    Build it through the service in tests of rules; the factory writes directly for speed."""

    class Meta:
        model = "referrals.Referral"

    provider = factory.SubFactory(ProviderFactory)
    area = factory.LazyFunction(lambda: area(KENT))
    reference = factory.Sequence(lambda n: f"RJ-{n:05d}")
    referring_team = factory.SubFactory(ReferringTeamFactory, area=factory.SelfAttribute("..area"))
    initiator = "victim"
    offence_group = "violence_against_the_person"
    offence_subgroup = "violence_with_injury"
    justice_stage = "pre_sentence"
    crime_reported_on = datetime.date(2026, 1, 5)
    victim_informed_on = datetime.date(2026, 1, 7)
    victim_requested_on = datetime.date(2026, 1, 8)
    referred_on = datetime.date(2026, 1, 9)
    received_on = datetime.date(2026, 1, 12)
    stage = "referred"
    stage_changed_on = factory.SelfAttribute("received_on")
    furthest_stage = factory.LazyAttribute(
        lambda referral: "referred" if referral.stage == "closed" else referral.stage
    )

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from referrals.services import set_clock_deadlines

        referral = model_class(*args, **kwargs)
        set_clock_deadlines(referral)
        referral.save()
        return referral


# Strategy: commissioning and accreditation ------------------------------------------------------


class CommissionFactory(DjangoModelFactory):
    """A contract running from 1 April 2025 with no end date, for the commissioner's areas (Kent
    by default). Pass `areas=[...]` to choose them. Writes directly; tests of rules use the service."""

    class Meta:
        model = "strategy.Commission"
        skip_postgeneration_save = True

    commissioner = factory.SubFactory(PccOfficeFactory)
    provider = factory.SubFactory(ProviderFactory)
    starts_on = datetime.date(2025, 4, 1)
    ends_on = None
    annual_value_pence = 8_500_000
    phone = "01632 960000"
    email = factory.Sequence(lambda n: f"rj-service-{n}@example.org")
    web_page = "https://rj.example.org/"
    how_to_ask = "Call or email the service and ask for restorative justice."

    @factory.post_generation
    def areas(self, create, extracted, **kwargs):
        if create:
            self.areas.set(extracted if extracted is not None else self.commissioner.areas.all())


class ProviderRegistrationFactory(DjangoModelFactory):
    """An RJC Registered Service Provider award of 1 June 2024, expiring on 31 May 2027."""

    class Meta:
        model = "strategy.ProviderRegistration"

    provider = factory.SubFactory(ProviderFactory)
    scheme = "rjc_registered"
    awarded_on = datetime.date(2024, 6, 1)
    expires_on = datetime.date(2027, 5, 31)
    certificate_reference = factory.Sequence(lambda n: f"RSP-{n:04d}")
