"""The Django admin, open only to holders of ``Perm.ADMIN_SITE``. Every ModelAdmin
derives from ``ScopedAdmin``: its rows are scoped through ``access.scope`` and it
changes nothing unless a subclass routes the change through an action."""

from functools import update_wrapper

from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from fengqiao.areas import access
from fengqiao.areas.access import Perm


class FengqiaoAdminSite(admin.AdminSite):
    site_header = _("枫桥综治平台 · 系统管理")
    site_title = _("枫桥系统管理")
    index_title = _("系统管理")

    def has_permission(self, request) -> bool:
        user = request.user
        return user.is_active and access.has_perm(user, Perm.ADMIN_SITE)

    def admin_view(self, view, cacheable=False):
        """A signed-in user without the permission gets the common 404 (and a recorded
        refusal) rather than a redirect to the login page, which would send them back."""
        inner = super().admin_view(view, cacheable)

        def wrapper(request, *args, **kwargs):
            if request.user.is_authenticated and not self.has_permission(request):
                access.require(request.user, Perm.ADMIN_SITE, None)
            return inner(request, *args, **kwargs)

        return update_wrapper(wrapper, view)

    def login(self, request, extra_context=None):
        """One login page for the whole platform (with its lockout)."""
        target = request.GET.get(REDIRECT_FIELD_NAME) or reverse("admin:index")
        return redirect(f"{reverse('accounts:login')}?{urlencode({'next': target})}")

    def logout(self, request, extra_context=None):
        from .views import logout_view

        return logout_view(request)


class ScopedAdmin(admin.ModelAdmin):
    """Read-only unless overridden; rows limited to the admin's areas."""

    scope_perm = Perm.ADMIN_SITE
    scope_field = "area__path"

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return access.scope(qs, request.user, self.scope_perm, self.scope_field)

    def has_module_permission(self, request) -> bool:
        return self.admin_site.has_permission(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return self.admin_site.has_permission(request)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
