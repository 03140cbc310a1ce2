"""Meeting cadences per level, editable by city-wide administrators (audited)."""

from django.contrib import admin

from fengqiao.cases.admin import CityRuleAdmin

from .models import Cadence


@admin.register(Cadence)
class CadenceAdmin(CityRuleAdmin):
    list_display = ("level", "every_days")
