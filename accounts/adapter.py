"""django-allauth hooks: where people land after logging in."""

from allauth.account.adapter import DefaultAccountAdapter
from django.urls import reverse

from .permissions import dashboard_url_name


class AccountAdapter(DefaultAccountAdapter):
    def get_login_redirect_url(self, request):
        return reverse(dashboard_url_name(request.user))
