from django.contrib.auth.mixins import UserPassesTestMixin

from .constants import Role


class RoleRequiredMixin(UserPassesTestMixin):
    """Limit a view to some roles. Signed-in users of other roles get 403 (they know the page
    exists from the service's navigation rules); anonymous users are sent to sign in."""

    allowed_roles: tuple[Role, ...] = ()

    def test_func(self):
        user = self.request.user
        return user.is_national_admin or user.role in self.allowed_roles


class NationalAdminRequiredMixin(RoleRequiredMixin):
    allowed_roles = ()


class PeopleManagerRequiredMixin(UserPassesTestMixin):
    """The people pages: national administrators, and PCC office or provider staff who manage
    their organisation's users. Other signed-in users get 403; anonymous users sign in."""

    def test_func(self):
        from .models import can_manage_people

        return can_manage_people(self.request.user)
