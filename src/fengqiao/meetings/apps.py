from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "fengqiao.meetings"
    verbose_name = "研判会"

    def ready(self) -> None:
        from fengqiao.core.workbench import PANELS, Panel

        from . import workbench

        # Action items wait on their owners' workbenches like cases do.
        PANELS.append(Panel("meetings/_workbench_panel.html", workbench.panel_context))
