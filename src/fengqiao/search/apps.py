from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "fengqiao.search"
    verbose_name = "全文检索"
