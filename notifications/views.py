"""The inbox and the e-mail preferences; every lookup is scoped to the logged-in user."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from . import services
from .forms import EmailPreferencesForm
from .models import EmailPreference, Notification


@login_required
def inbox(request):
    page = Paginator(Notification.objects.filter(user=request.user), 20).get_page(request.GET.get("page"))
    return render(request, "notifications/inbox.html", {"page": page})


@login_required
def open_notification(request, pk):
    notification = get_object_or_404(Notification, pk=pk, user=request.user)
    services.notifications_mark_read(user=request.user, notification_ids=[notification.pk])
    # Only ever a path on this site: a notification must not become an open redirect.
    if url_has_allowed_host_and_scheme(notification.url, allowed_hosts=None) and notification.url.startswith("/"):
        return redirect(notification.url)
    return redirect("notifications:inbox")


@require_POST
@login_required
def mark_read(request, pk):
    notification = get_object_or_404(Notification, pk=pk, user=request.user)
    services.notifications_mark_read(user=request.user, notification_ids=[notification.pk])
    if request.htmx:
        notification.refresh_from_db()
        return render(request, "notifications/inbox.html#item", {"notification": notification})
    return redirect("notifications:inbox")


@require_POST
@login_required
def mark_all_read(request):
    count = services.notifications_mark_read(user=request.user)
    messages.success(request, f"{count} notification{'s' if count != 1 else ''} marked as read.")
    return redirect("notifications:inbox")


@login_required
def preferences(request):
    current = dict(EmailPreference.objects.filter(user=request.user)
                   .values_list("category", "email_enabled"))
    form = EmailPreferencesForm(request.POST or None, current=current)
    if request.method == "POST" and form.is_valid():
        services.email_preferences_set(user=request.user, enabled=form.cleaned_data)
        messages.success(request, "Your e-mail preferences are saved.")
        return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form})
