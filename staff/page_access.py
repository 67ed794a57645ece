"""Who may open a page: the one check every manager page makes, written once."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from staff.models import Role


def role_page(*roles: str) -> Callable:
    """Signed-out people go to the sign-in (and come back); anyone without one of `roles` gets a 403."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def guarded(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not any(request.user.has_role(role) for role in roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return guarded

    return decorate


manager_page = role_page(Role.MANAGER)
