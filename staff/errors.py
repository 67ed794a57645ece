from django.core.exceptions import PermissionDenied


class PinLocked(PermissionDenied):
    """Too many wrong PINs in a row; a manager must unlock this person's PIN."""
