"""Who may moderate pledges and import historic signatories."""

from rjportal.accounts.constants import Role
from rjportal.accounts.permissions import NationalAdminRequiredMixin, RoleRequiredMixin


def can_moderate(user) -> bool:
    return bool(user and user.is_authenticated and (user.is_national_admin or user.role == Role.PLEDGE_MODERATOR))


def can_import(user) -> bool:
    return bool(user and user.is_authenticated and user.is_national_admin)


class ModeratorRequiredMixin(RoleRequiredMixin):
    """Pledge moderators and national administrators; others 403, anonymous users sign in."""

    allowed_roles = (Role.PLEDGE_MODERATOR,)


class ImportRequiredMixin(NationalAdminRequiredMixin):
    pass
