"""Who may use the referrals API. Which referrals a user sees or changes is decided by the
querysets (`Referral.objects.for_user` and `editable_by`); these classes only decide whether a
role may use an endpoint at all."""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from rjportal.accounts.constants import Role

READING_ROLES = (Role.PCC_STAFF, Role.PROVIDER_STAFF)
WRITING_ROLES = (Role.PROVIDER_STAFF,)
TEAM_WRITING_ROLES = (Role.PCC_STAFF,)


def _has_role(user, roles) -> bool:
    return bool(user and user.is_authenticated and (user.is_national_admin or user.role in roles))


class HasReferralAccess(BasePermission):
    """National administrators, PCC office staff and RJ provider staff. Other roles (pledge
    moderators) get 403 for the whole referrals API rather than an empty list, so that a
    provider system set up with the wrong account finds out at once."""

    message = "Your role does not give access to referrals."

    def has_permission(self, request, view):
        return _has_role(request.user, READING_ROLES)


class CanChangeReferrals(BasePermission):
    """Reading is for every role with referral access; recording and changing referrals is for
    RJ provider staff (their own organisation's) and national administrators. PCC office staff
    read only, so they get 403 on every write, whichever referral it names."""

    message = "Only RJ provider staff and national administrators can record or change referrals."

    def has_permission(self, request, view):
        if request.method in SAFE_METHODS:
            return True
        return _has_role(request.user, WRITING_ROLES)


class CanChangeReferringTeams(BasePermission):
    """Reading teams is for every role with referral access; adding and changing them is for
    PCC office staff (their own areas' teams, by the queryset) and national administrators.
    Provider staff read only, so they get 403 on every write, whichever team it names."""

    message = "Only PCC office staff and national administrators can add or change referring teams."

    def has_permission(self, request, view):
        if request.method in SAFE_METHODS:
            return True
        return _has_role(request.user, TEAM_WRITING_ROLES)
