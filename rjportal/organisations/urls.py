from django.urls import path

from rjportal.accounts.views import (
    PersonChangeView,
    PersonDeactivateView,
    PersonInvitationResendView,
    PersonInviteView,
    PersonListView,
)

from .views import (
    OrganisationCreateView,
    OrganisationDetailView,
    OrganisationListView,
    OrganisationUpdateView,
    my_organisation,
)

app_name = "organisations"

urlpatterns = [
    path("", OrganisationListView.as_view(), name="list"),
    path("new/", OrganisationCreateView.as_view(), name="create"),
    path("mine/", my_organisation, name="mine"),
    path("<int:pk>/", OrganisationDetailView.as_view(), name="detail"),
    path("<int:pk>/change/", OrganisationUpdateView.as_view(), name="update"),
    path("people/", PersonListView.as_view(), name="people"),
    path("people/invite/", PersonInviteView.as_view(), name="person_invite"),
    path("people/<int:pk>/change/", PersonChangeView.as_view(), name="person_change"),
    path("people/<int:pk>/deactivate/", PersonDeactivateView.as_view(), name="person_deactivate"),
    path("people/<int:pk>/invitation/", PersonInvitationResendView.as_view(), name="person_invitation_resend"),
]
