"""Units in the admin, read-only and scoped to the admin's areas; units are created and
staffed through ``units.actions``."""

from django.contrib import admin

from fengqiao.accounts.admin_site import ScopedAdmin

from .models import Unit


@admin.register(Unit)
class UnitAdmin(ScopedAdmin):
    scope_field = "area_path"
    list_display = ["name", "kind", "scope", "area", "is_active"]
    list_filter = ["kind", "scope", "is_active"]
    search_fields = ["name"]
    list_select_related = ["area"]
