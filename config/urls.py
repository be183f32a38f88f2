"""The site's URLs: each app's pages, allauth, the admin behind allauth's login, and the API schema."""

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts import views as account_views

# The admin's own login form would bypass allauth's rate limits and e-mail verification.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "Rotamatch administration"
admin.site.site_title = "Rotamatch admin"

urlpatterns = [
    path("", account_views.home, name="home"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("", include("accounts.urls")),
    path("", include("notifications.urls")),
    path("", include("applicants.urls")),
    path("", include("rotations.urls")),
    path("", include("preceptors.urls")),
    path("api/", include("config.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]
