from django.apps import AppConfig
from django.db.backends.signals import connection_created


class SearchConfig(AppConfig):
    name = "fengqiao.search"
    verbose_name = "全文检索"

    def ready(self) -> None:
        from .index import on_connection_created

        # SQLite's bigram triggers call a Python function: every connection needs it.
        connection_created.connect(on_connection_created, dispatch_uid="search-functions")
