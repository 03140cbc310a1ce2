from django.contrib.admin.apps import AdminConfig


class FengqiaoAdminConfig(AdminConfig):
    """django.contrib.admin with our site as ``admin.site``: every app's registrations
    land on the site that only ``Perm.ADMIN_SITE`` holders may enter."""

    default_site = "fengqiao.accounts.admin_site.FengqiaoAdminSite"
