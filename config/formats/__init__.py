"""Our date and time formats where Django's own do not suit a restaurant (see en/formats.py)."""
