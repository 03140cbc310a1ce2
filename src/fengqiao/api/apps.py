from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "fengqiao.api"
    label = "api"
    verbose_name = "接口"
