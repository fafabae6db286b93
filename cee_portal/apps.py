from django.contrib.admin.apps import AdminConfig


class PortalAdminConfig(AdminConfig):
    """Django's admin with the portal's site: administrators only, one sign-in page for everyone."""

    default_site = "cee_portal.admin_site.PortalAdminSite"
