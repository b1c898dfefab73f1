"""audited_update: the shared shape of every "change" service."""

import pytest
from django.core.exceptions import ValidationError

from rjportal.audit.models import AuditEvent
from rjportal.audit.services import audited_update
from rjportal.organisations.models import Organisation
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

FIELDS = ["name", "kind"]


def refuse_long_names(organisation):
    if len(organisation.name) > 20:
        raise ValidationError({"name": "Too long"})


def rename(organisation, actor, name):
    return audited_update(
        actor=actor,
        instance=organisation,
        fields=FIELDS,
        values={"name": name},
        validate=refuse_long_names,
        summary=lambda organisation: f"Changed {organisation.name}",
    )


def test_a_change_is_saved_and_audited_once(admin_user):
    organisation = OrganisationFactory(name="Old name")

    changes = rename(organisation, admin_user, "New name")

    assert changes == {"name": {"from": "Old name", "to": "New name"}}
    assert Organisation.objects.get(pk=organisation.pk).name == "New name"
    event = AuditEvent.objects.get(action="update")
    assert (event.actor, event.summary, event.changes) == (admin_user, "Changed New name: name", changes)


def test_no_change_saves_and_audits_nothing(admin_user):
    organisation = OrganisationFactory(name="Same")

    assert rename(organisation, admin_user, "Same") == {}
    assert not AuditEvent.objects.filter(action="update").exists()


def test_a_broken_rule_changes_nothing_the_object_in_hand_included(admin_user):
    organisation = OrganisationFactory(name="Short")

    with pytest.raises(ValidationError):
        rename(organisation, admin_user, "A name far too long to be allowed")

    assert organisation.name == "Short"
    assert Organisation.objects.get(pk=organisation.pk).name == "Short"
    assert not AuditEvent.objects.filter(action="update").exists()


def test_a_field_outside_the_list_is_a_programming_error(admin_user):
    organisation = OrganisationFactory()

    with pytest.raises(TypeError, match="Cannot change areas here"):
        audited_update(
            actor=admin_user, instance=organisation, fields=FIELDS, values={"areas": []},
            validate=refuse_long_names, summary=str,
        )  # fmt: skip
