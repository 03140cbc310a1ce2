from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "fengqiao.core"
    verbose_name = "基础"
