"""What each role is for: the navigation and home page tasks are read from here, so the
two never disagree. Access itself is enforced by views and querysets, not by this list."""

from dataclasses import dataclass, replace

from django.urls import reverse

from .constants import Role


@dataclass(frozen=True)
class Task:
    title: str
    url_name: str
    description: str
    in_navigation: bool = True

    @property
    def url(self):
        return reverse(self.url_name)


DASHBOARD = Task("Dashboard", "dashboard:index", "Compare referral rates across the 43 police areas.")
MY_DASHBOARD = Task(
    "Dashboard", "dashboard:mine", "See where referrals are missing in your area, by team and crime type."
)
REFERRALS = Task("Referrals", "referrals:list", "RJ referrals, their stages and Victims' Code clocks.")
# Not in the navigation: on /referrals/teams/ both it and Referrals would be marked current.
REFERRING_TEAMS = Task(
    "Referring teams",
    "referrals:teams",
    "Keep your areas' list of teams that refer victims to RJ, and their staffing.",
    in_navigation=False,
)
TEN_WAYS = Task(
    "10 ways",
    "strategy:index",
    "Record your areas' pledge, commissioning, strategy, budget, training, communications, Community Remedy and "
    "observations, and see the 10-ways scorecard.",
)
SCORECARD = Task(
    "10-ways scorecard",
    "strategy:scorecard",
    "Each area's status on the 10 ways to unlock RJ.",
    in_navigation=False,
)
COMMISSIONING = Task(
    "Contracts with RJ providers",
    "strategy:commissions",
    "Which RJ providers are commissioned, for which areas, and their public contact details.",
    in_navigation=False,
)
ACCREDITATION = Task(
    "Accreditation",
    "strategy:registrations",
    "RJ providers' registrations with the Restorative Justice Council, and when they expire.",
)
# PCC office staff and administrators reach it from the 10 ways; providers from the navigation.
ACCREDITATION_OFF_NAV = replace(ACCREDITATION, in_navigation=False)
BENEFIT_RATIO = Task(
    "Benefit ratio",
    "strategy:benefit_ratio",
    "Choose the pounds of benefit per £1 of RJ spend that estimates use, and its source.",
    in_navigation=False,
)
CASE_REVIEWS = Task(
    "Case reviews",
    "reviews:index",
    "Dip-sample cases to check whether victims were offered RJ, and see the proportion offered.",
)
# Not in the navigation: on /reviews/actions/ both it and Case reviews would be marked current.
ACTIONS = Task(
    "Actions",
    "reviews:actions",
    "What your office will do about gaps, dip samples and the scorecard, with owners and due dates.",
    in_navigation=False,
)
AREAS = Task("Police areas", "areas:list", "Police force areas, who governs them and their recorded crime.")
ORGANISATIONS = Task("Organisations", "organisations:list", "Organisations using the portal and the areas they serve.")
MY_ORGANISATION = Task(
    "Your organisation", "organisations:mine", "Your organisation, the areas it serves and its staff."
)
PEOPLE = Task(
    "People",
    "organisations:people",
    "Invite people to the portal, change their role or organisation, and deactivate their accounts.",
    in_navigation=False,
)
AUDIT = Task("Audit log", "audit:list", "Who viewed or changed what, and when.")
PLEDGE_MODERATION = Task(
    "Pledge moderation", "pledges:moderation", "Review signed RJ pledges: publish, reject, correct or withdraw them."
)
PLEDGE_IMPORT = Task(
    "Import historic pledges",
    "pledges:import",
    "Add signatories from earlier campaigns from a CSV file.",
    in_navigation=False,
)
PLEDGE_REGISTER = Task(
    "Pledge register", "pledges:register", "Who has signed the RJ pledge, by area and election.", in_navigation=False
)
ADMIN = Task("Administration", "admin:index", "Manage organisations, users and roles.", in_navigation=False)
PASSWORD = Task("Change your password", "password_change", "Choose a new password.", in_navigation=False)
SECURITY = Task(
    "Two-factor sign-in",
    "account_security",
    "Your authenticator app, passkeys and backup codes for signing in.",
    in_navigation=False,
)
API_TOKENS = Task(
    "API tokens",
    "apitokens:list",
    "Create and revoke the tokens your systems use to record referrals through the API.",
    in_navigation=False,
)

TASKS_BY_ROLE = {
    Role.NATIONAL_ADMIN: [
        DASHBOARD,
        REFERRALS,
        REFERRING_TEAMS,
        TEN_WAYS,
        SCORECARD,
        COMMISSIONING,
        ACCREDITATION_OFF_NAV,
        BENEFIT_RATIO,
        CASE_REVIEWS,
        ACTIONS,
        AREAS,
        ORGANISATIONS,
        PEOPLE,
        PLEDGE_MODERATION,
        AUDIT,
        PLEDGE_IMPORT,
        ADMIN,
        PASSWORD,
        SECURITY,
    ],
    Role.PCC_STAFF: [
        MY_DASHBOARD,
        REFERRALS,
        REFERRING_TEAMS,
        TEN_WAYS,
        SCORECARD,
        COMMISSIONING,
        ACCREDITATION_OFF_NAV,
        CASE_REVIEWS,
        ACTIONS,
        AREAS,
        MY_ORGANISATION,
        PASSWORD,
        SECURITY,
    ],
    Role.PROVIDER_STAFF: [
        REFERRALS,
        ACCREDITATION,
        COMMISSIONING,
        AREAS,
        MY_ORGANISATION,
        API_TOKENS,
        PASSWORD,
        SECURITY,
    ],
    Role.PLEDGE_MODERATOR: [PLEDGE_MODERATION, AREAS, PLEDGE_REGISTER, PASSWORD, SECURITY],
}


def tasks_for(user) -> list[Task]:
    if not user.is_authenticated:
        return []
    role = Role.NATIONAL_ADMIN if user.is_national_admin else user.role
    tasks = TASKS_BY_ROLE.get(role, [])
    if role in (Role.PCC_STAFF, Role.PROVIDER_STAFF) and user.manages_users and user.organisation_id:
        tasks = [*tasks, PEOPLE]
    return tasks
