from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _create_role_groups(sender, **kwargs):
    from staff.services import ensure_role_groups

    ensure_role_groups()


class StaffConfig(AppConfig):
    name = "staff"
    verbose_name = _("Staff")

    def ready(self):
        # Groups carry permissions, which auth creates app by app after migrating, so
        # this runs after each app (it is idempotent) rather than once for staff.
        post_migrate.connect(_create_role_groups, dispatch_uid="staff.create_role_groups")
        from staff import middleware  # noqa: F401 - starts the idle clock at every sign-in


class BackOfficeAdminConfig(admin_apps.AdminConfig):
    """Django's admin app, with `admin.site` being the password-only back office."""

    default = False  # named in INSTALLED_APPS; `staff` itself stays StaffConfig
    default_site = "staff.admin_site.BackOfficeSite"
