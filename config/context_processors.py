"""Template context shared by every page: the navigation that fits the user's role, with the unread count."""

from django.urls import reverse

from accounts.models import Role
from notifications.selectors import unread_count

_NAV = {
    Role.APPLICANT: [("Dashboard", "applicants:dashboard"), ("Recommended", "matching:recommendations"),
                     ("Applications", "matching:my_applications"),
                     ("Documents", "applicants:documents"), ("Letters", "preceptors:letters"),
                     ("Rounds", "matching:rounds"), ("Saved", "rotations:saved_listings")],
    Role.COORDINATOR: [("Dashboard", "dashboards:coordinator"), ("Listings", "rotations:coordinator_listings"),
                       ("Applications", "matching:review_list"), ("Rounds", "matching:rounds"),
                       ("Reviews", "preceptors:host_reviews"), ("Figures", "figures:coordinator")],
    Role.PRECEPTOR: [("Dashboard", "preceptors:dashboard"), ("Reviews", "preceptors:host_reviews")],
    Role.ADMIN: [("Dashboard", "dashboards:staff"), ("Figures", "figures:staff"), ("Moderation", "rotations:moderation"),
                 ("Documents", "applicants:document_queue"), ("Placements", "matching:approval_queue"),
                 ("Reviews", "preceptors:moderation"), ("Letters", "preceptors:admin_letters"),
                 ("Rounds", "matching:round_list"),
                 ("Django admin", "admin:index")],
}


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    path = request.path
    items = []
    for label, name in [*_NAV[user.role], ("Notifications", "notifications:inbox")]:
        url = reverse(name)
        items.append({"label": label, "url": url, "current": path == url, "count": 0})
    items[-1]["count"] = unread = unread_count(user)
    return {"nav_items": items, "unread_notifications": unread}
