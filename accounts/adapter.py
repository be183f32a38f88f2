"""django-allauth hooks: where people land after logging in, and how its e-mails leave."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.contrib.sites.shortcuts import get_current_site
from django.urls import reverse

from notifications.services import email_enqueue

from .permissions import dashboard_url_name


class AccountAdapter(DefaultAccountAdapter):
    def get_login_redirect_url(self, request):
        return reverse(dashboard_url_name(request.user))

    def send_mail(self, template_prefix, email, context):
        """Verification and password-reset e-mails go through the outbox like every other e-mail.

        They ignore notification preferences: a user cannot mute their own account's security.
        """
        request = allauth_context.request
        context = {"request": request, "email": email, "current_site": get_current_site(request),
                   **context}
        message = self.render_mail(template_prefix, email, context)
        html = next((body for body, mimetype in getattr(message, "alternatives", [])
                     if mimetype == "text/html"), "")
        email_enqueue(to=email, kind=f"account:{template_prefix.rsplit('/', 1)[-1]}",
                      subject=message.subject, text_body=message.body, html_body=html)
