"""Which side of the product a signed-in user may open: the staff workspace or the portal.

Finer rights (which case, which action) are the permission policy's (cases/permissions.py); this
only keeps each role on its own side, with a page that says where that role works.
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.template.response import TemplateResponse

from cee_portal.landing import workplace_url


def _only(allowed, audience: str):
    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not user.is_active or not allowed(user):
                context = {"audience": audience, "workplace": workplace_url(user), "title": "Not for you"}
                return TemplateResponse(request, "refused.html", context, status=403)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


staff_only = _only(lambda user: user.is_cbp_staff, "CBP staff")
trade_only = _only(lambda user: user.is_trade_user, "importer users and customs brokers")
