"""Where each figure leads: the list it counts, filtered as closely as that list allows.

The application lists filter by status tab only (`matching:review_list`, no period, specialty or
state), so admins get the Django admin's lists where those have the filter a figure needs, and
coordinators (who have no Django admin) their own lists.
"""

from dataclasses import dataclass
from datetime import date

from django.http import QueryDict
from django.urls import reverse

from .figures_period import MONTH_FORMAT, Period


def _url(name: str, **params) -> str:
    query = QueryDict(mutable=True)
    query.update(params)
    return f"{reverse(name)}?{query.urlencode()}" if params else reverse(name)


@dataclass(frozen=True)
class Links:
    site_wide: bool
    period: Period

    def applications(self, tab: str = "") -> str:
        return _url("matching:review_list", show=tab) if tab else _url("matching:review_list")

    def to_approve(self) -> str:
        return _url("matching:approval_queue") if self.site_wide else self.applications("placements")

    def documents(self) -> str:
        return _url("applicants:document_queue")

    def listings_to_moderate(self) -> str:
        return _url("rotations:moderation")

    def month(self, month: date) -> str:
        """The listings with a slot starting that month (search shows the published ones)."""
        if self.site_wide:
            return _url("rotations:search", start_month=f"{month:{MONTH_FORMAT}}")
        return _url("rotations:coordinator_listings")

    def applications_by(self, field: str, key: str) -> str:
        # The admin's application list filters by the institution's state, not the listing's:
        # the closest filter it has (they differ only for a listing away from its institution).
        lookup = {"specialty": "slot__listing__specialty", "state": "slot__listing__institution__state"}[field]
        return _url("admin:matching_application_changelist", **{lookup: key}) if self.site_wide else self.applications()

    def seats_by(self, field: str, key: str) -> str:
        return _url("admin:rotations_listing_changelist", **{field: key}) if self.site_wide else _url(
            "rotations:coordinator_listings")

    def funnel_step(self, step: str) -> str:
        """Sign-ups, profiles and applicants who applied: the admin's user list, exactly those people."""
        if step in ("offered", "placed"):
            return self.applications({"offered": "offered", "placed": "placements"}[step])
        start, end = self.period.moments
        params = {"role": "applicant", "date_joined__gte": start.isoformat(), "date_joined__lt": end.isoformat()}
        if step == "profile":
            params["profile__isnull"] = "False"
        if step == "applied":
            params["applications__isnull"] = "False"
        return _url("admin:accounts_user_changelist", **params)
