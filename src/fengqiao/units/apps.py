from django.apps import AppConfig


class UnitsConfig(AppConfig):
    name = "fengqiao.units"
    verbose_name = "单位"
