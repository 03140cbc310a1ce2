from django.apps import AppConfig


class AreasConfig(AppConfig):
    name = "fengqiao.areas"
    verbose_name = "区域"
