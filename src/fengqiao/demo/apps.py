from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "fengqiao.demo"
    verbose_name = "演示数据"
