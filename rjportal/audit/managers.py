from django.db import models


class AuditEventQuerySet(models.QuerySet):
    def for_user(self, user):
        """Only national administrators read the audit trail."""
        if user.is_authenticated and user.is_national_admin:
            return self.all()
        return self.none()

    def for_target(self, obj):
        from django.contrib.contenttypes.models import ContentType

        return self.filter(target_type=ContentType.objects.get_for_model(obj), target_id=str(obj.pk))
