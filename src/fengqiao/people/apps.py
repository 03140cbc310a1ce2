from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "fengqiao.people"
    verbose_name = "实有人口"
