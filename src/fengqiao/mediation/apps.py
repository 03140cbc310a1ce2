from django.apps import AppConfig


class MediationConfig(AppConfig):
    name = "fengqiao.mediation"
    verbose_name = "调解与回访"

    def ready(self) -> None:
        from . import hooks

        hooks.install()
