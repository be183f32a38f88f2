"""Template context shared by every page: the navigation that fits the user's role."""

from django.urls import reverse

from .models import Role

_NAV = {
    Role.APPLICANT: [("Dashboard", "applicants:dashboard")],
    Role.COORDINATOR: [("Dashboard", "rotations:coordinator_dashboard")],
    Role.PRECEPTOR: [("Dashboard", "preceptors:dashboard")],
    Role.ADMIN: [("Dashboard", "accounts:staff_dashboard"), ("Django admin", "admin:index")],
}


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    path = request.path
    items = []
    for label, name in [*_NAV[user.role], ("Notifications", "notifications:inbox")]:
        url = reverse(name)
        items.append({"label": label, "url": url, "current": path == url})
    return {"nav_items": items}
