"""Role checks for views: who may open which pages."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from .models import Role


def role_required(*roles: Role):
    """Let only users of the given roles in; others get 403, anonymous users the login page."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if request.user.role not in roles:
                raise PermissionDenied("This page is not for your role.")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def dashboard_url_name(user) -> str:
    return {
        Role.APPLICANT: "applicants:dashboard",
        Role.COORDINATOR: "dashboards:coordinator",
        Role.PRECEPTOR: "preceptors:dashboard",
        Role.ADMIN: "dashboards:staff",
    }[user.role]
