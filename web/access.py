"""Which side of the product a signed-in user may open: the staff workspace or the portal.

Finer rights (which case, which action) are the permission policy's (cases/permissions.py); this
only keeps each role on its own side.

The staff side's one rule for a signed-in user who is not CBP staff (an importer user, a broker):
- a page that names an object (its URL has arguments: a case, an entry, an account, a packet, a run,
  a saved filter...) answers 404, exactly like a missing object, so the staff URLs confirm nothing
  about what exists;
- any other staff page (queue, dashboard, moves, search, exports, bulk actions) sends the user to
  their own workplace (the portal home) with a note, and does nothing else.
The portal side still answers a CBP staff user with the 403 page that points to the queue.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse

from cee_portal.landing import workplace_url


def _send_home_or_404(request, audience: str, view_kwargs: dict):
    if view_kwargs:
        raise Http404("No such page.")
    messages.info(request, f"That page is for {audience}; here is where you work.")
    return redirect(workplace_url(request.user))


def _refused_page(request, audience: str, view_kwargs: dict):
    context = {"audience": audience, "workplace": workplace_url(request.user), "title": "Not for you"}
    return TemplateResponse(request, "refused.html", context, status=403)


def _only(allowed, audience: str, refuse):
    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not user.is_active or not allowed(user):
                return refuse(request, audience, {**kwargs, **dict(enumerate(args))})
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


staff_only = _only(lambda user: user.is_cbp_staff, "CBP staff", _send_home_or_404)
trade_only = _only(lambda user: user.is_trade_user, "importer users and customs brokers", _refused_page)
