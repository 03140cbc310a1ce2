from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "fengqiao.cases"
    verbose_name = "事项"
