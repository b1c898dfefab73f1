from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from rjportal.organisations.models import Organisation

from .constants import ORGANISATION_KIND_FOR_ROLE, Role


class UserQuerySet(models.QuerySet):
    def manageable_by(self, user):
        """The people `user` may invite, change and deactivate: everyone for national
        administrators; for PCC office or provider staff who manage users, the staff of their own
        organisation in their organisation's role (never an administrator); nobody otherwise."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_national_admin:
            return self.all()
        if not can_manage_people(user):
            return self.none()
        return self.filter(organisation_id=user.organisation_id, role=user.role, is_superuser=False)


def can_manage_people(user) -> bool:
    """Whether `user` may use the people pages at all."""
    if not (user.is_authenticated and user.is_active):
        return False
    if user.is_national_admin:
        return True
    return bool(user.manages_users and user.role in ORGANISATION_KIND_FOR_ROLE and user.organisation_id)


class UserManager(BaseUserManager.from_queryset(UserQuerySet)):
    use_in_migrations = True

    def create_user(self, email, password=None, **fields):
        if not email:
            raise ValueError("Users need an email address.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **fields):
        fields.setdefault("role", Role.NATIONAL_ADMIN)
        fields["is_superuser"] = True
        return self.create_user(email, password, **fields)

    def get_by_natural_key(self, email):
        return self.get(email__iexact=email)


class User(AbstractBaseUser, PermissionsMixin):
    """A member of staff. People sign in with their email address; their role and
    organisation decide what they may see (see the `for_user` queryset methods)."""

    email = models.EmailField("email address", unique=True)
    full_name = models.CharField(max_length=150, blank=True)
    role = models.CharField(max_length=20, choices=Role.choices)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="members"
    )
    is_active = models.BooleanField(default=True)
    manages_users = models.BooleanField(
        default=False,
        help_text="PCC office or provider staff who may invite, change and deactivate their organisation's staff",
    )
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_unique_ignoring_case"),
            models.CheckConstraint(
                condition=Q(role__in=list(ORGANISATION_KIND_FOR_ROLE), organisation__isnull=False)
                | ~Q(role__in=list(ORGANISATION_KIND_FOR_ROLE)),
                name="organisation_staff_have_an_organisation",
            ),
        ]

    def __str__(self):
        return self.email

    def save(self, *args, **kwargs):
        # Addresses are compared case-insensitively, so store one spelling.
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        self.email = self.email.strip().lower()
        needed_kind = ORGANISATION_KIND_FOR_ROLE.get(self.role)
        if needed_kind is None:
            return
        if self.organisation is None:
            raise ValidationError({"organisation": f"Choose the {needed_kind.label} this person works for."})
        if self.organisation.kind != needed_kind:
            raise ValidationError(
                {
                    "organisation": f"{Role(self.role).label} must belong to a {needed_kind.label}, not a "
                    f"{self.organisation.get_kind_display()}."
                }
            )

    @property
    def is_national_admin(self):
        return self.is_active and (self.role == Role.NATIONAL_ADMIN or self.is_superuser)

    @property
    def is_staff(self):
        # The admin screens are for national administrators only.
        return self.is_national_admin

    @property
    def sees_all_areas(self):
        return self.is_national_admin

    def has_perm(self, perm, obj=None):
        if self.is_national_admin:
            return True
        return super().has_perm(perm, obj)

    def has_module_perms(self, app_label):
        if self.is_national_admin:
            return True
        return super().has_module_perms(app_label)
