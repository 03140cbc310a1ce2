from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "fengqiao.cases"
    verbose_name = "事项"

    def ready(self) -> None:
        from fengqiao.core.workbench import PANELS, Panel

        from . import workbench

        # Cases come first on the workbench: they are most of anyone's day.
        PANELS.insert(0, Panel("cases/_workbench_panel.html", workbench.panel_context))
