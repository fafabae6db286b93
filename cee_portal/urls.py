from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from cee_portal.landing import home
from cee_portal.operations.health import healthz
from cee_portal.users.views import PortalLoginView, PortalPasswordResetConfirmView

urlpatterns = [
    path("", home, name="home"),
    path("healthz", healthz, name="healthz"),
    # One sign-in page for every role; the rest of Django's auth views (sign-out, password change and
    # reset) keep their names and URLs under /accounts/.
    path("accounts/login/", PortalLoginView.as_view(), name="login"),
    path(
        "accounts/reset/<uidb64>/<token>/",
        PortalPasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    # The CBP staff workspace (queue, and in time cases, entries, accounts, dashboards).
    path("", include("cases.views.staff.urls")),
    # The importer and broker portal.
    path("portal/", include("cases.views.portal.urls")),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]
