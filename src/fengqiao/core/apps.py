from django.apps import AppConfig
from django.db.backends.signals import connection_created


class CoreConfig(AppConfig):
    name = "fengqiao.core"
    verbose_name = "基础"

    def ready(self):
        from .db.postgresql import on_connection_created

        connection_created.connect(on_connection_created, dispatch_uid="postgresql-utc-loader")
