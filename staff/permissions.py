"""Role checks for API views: every endpoint names the roles it serves."""

from rest_framework.permissions import BasePermission


def role_required(*roles: str) -> type[BasePermission]:
    class HasRole(BasePermission):
        message = "Your role does not allow this."

        def has_permission(self, request, view):
            user = request.user
            return bool(user and user.is_authenticated and user.has_role(*roles))

    HasRole.__name__ = "HasRole_" + "_".join(roles)
    return HasRole
