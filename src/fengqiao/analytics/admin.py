"""Performance-score weights, editable by city-wide administrators (audited)."""

from django.contrib import admin

from fengqiao.cases.admin import CityRuleAdmin

from .models import ScoreWeight


@admin.register(ScoreWeight)
class ScoreWeightAdmin(CityRuleAdmin):
    list_display = ("indicator", "weight")
