"""Admin for the code lists and rules the city sets: categories, time limits and the
work calendar. Only a city-wide administrator changes them, and every change is audited.
Cases themselves are never edited here: they change only through ``cases.actions``."""

from django.contrib import admin

from fengqiao.areas import access
from fengqiao.areas.access import Perm
from fengqiao.audit.log import record

from .models import Category, TimeLimit, WorkCalendarOverride


class CityRuleAdmin(admin.ModelAdmin):
    """Editable by administrators whose grant covers a whole city."""

    def _city_wide(self, request) -> bool:
        return access.sees_unscoped(request.user, Perm.ADMIN_SITE)

    def has_module_permission(self, request) -> bool:
        return self.admin_site.has_permission(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return self.admin_site.has_permission(request)

    def has_add_permission(self, request) -> bool:
        return self._city_wide(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._city_wide(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self._city_wide(request)

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        action = "change" if change else "create"
        record(
            f"{obj._meta.label_lower}.{action}",
            actor=request.user,
            obj=obj,
            detail={"fields": sorted(form.changed_data)},
        )

    def delete_model(self, request, obj) -> None:
        record(f"{obj._meta.label_lower}.delete", actor=request.user, obj=obj)
        super().delete_model(request, obj)


@admin.register(Category)
class CategoryAdmin(CityRuleAdmin):
    list_display = ["code", "name", "group", "parent", "is_active"]
    list_filter = ["group", "is_active"]
    search_fields = ["code", "name"]


@admin.register(TimeLimit)
class TimeLimitAdmin(CityRuleAdmin):
    list_display = [
        "stage",
        "case_kind",
        "category",
        "handling_level",
        "unit_scope",
        "yellow_limit",
        "red_limit",
        "time_unit",
        "warning_percent",
    ]
    list_filter = ["stage", "unit_scope", "time_unit"]


@admin.register(WorkCalendarOverride)
class WorkCalendarOverrideAdmin(CityRuleAdmin):
    list_display = ["date", "is_workday", "note"]
    date_hierarchy = "date"
