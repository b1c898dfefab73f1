from django.db import models


class OrganisationQuerySet(models.QuerySet):
    def for_user(self, user):
        """Administrators see every organisation; other staff see only their own."""
        if not user.is_authenticated:
            return self.none()
        if user.is_national_admin:
            return self.all()
        if user.organisation_id is None:
            return self.none()
        return self.filter(pk=user.organisation_id)

    def serving(self, area):
        return self.filter(areas=area)
