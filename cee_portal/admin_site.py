"""The admin as administrators meet it: reached through the one sign-in page, refused to everyone else.

Everyone signs in at /accounts/login/; the admin has no sign-in form of its own. A signed-in user who
is not an administrator gets a page that says so and links to where that role works, never the
admin's "enter the correct username and password for a staff account".
"""

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from cee_portal.landing import workplace_url


class PortalAdminSite(admin.AdminSite):
    site_header = "CEE Portal administration"
    site_title = "CEE Portal"
    index_title = "Administration"

    def has_permission(self, request) -> bool:
        """Administrators: active staff accounts (the admin role; create_user sets is_staff for it)."""
        return request.user.is_active and request.user.is_staff

    def login(self, request, extra_context=None):
        next_url = request.GET.get("next", "")
        if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
            next_url = ""
        if not request.user.is_authenticated:
            return redirect_to_login(next_url or reverse("admin:index"), reverse("login"))
        if self.has_permission(request):
            return redirect(next_url or reverse("admin:index"))
        context = {"workplace": workplace_url(request.user), "title": "Administration refused"}
        return TemplateResponse(request, "admin_refused.html", context, status=403)
