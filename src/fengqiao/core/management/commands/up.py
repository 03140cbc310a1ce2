"""``fengqiao up``: everything needed to run Fengqiao, in one command.

Migrates, loads the demo city into an empty database, collects static files and serves
with gunicorn (WhiteNoise serves /static/, so no other web server is needed). Ctrl-C or
SIGTERM stops it with exit status 0.
"""

import gc
import os
import signal
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connections
from gunicorn.app.base import BaseApplication

from fengqiao.accounts.models import Assignment, User
from fengqiao.areas.models import Area
from fengqiao.demo.city import DEMO_PASSWORD, load_demo

# The accounts the banner names; README lists the whole scheme.
BANNER_ACCOUNTS = [
    "city_leader",
    "city_admin",
    "city_auditor",
    "dlt_leader",
    "bnj_leader",
    "bnj_intake_officer",
    "bnj_mediator",
    "bnj_grid001",
    "gy_leader",
    "zj_leader",
    "zj_grid01",
]


class Server(BaseApplication):
    """gunicorn, configured from code rather than from its command line."""

    def __init__(self, application, options: dict):
        self.application = application
        self.options = options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        return self.application


class Command(BaseCommand):
    help = "迁移数据库、空库时载入演示城市、收集静态文件，并用 gunicorn 提供服务。"

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument(
            "--threads",
            type=int,
            default=int(os.environ.get("FENGQIAO_THREADS", "4")),
            help="每个进程的线程数（默认 4，或环境变量 FENGQIAO_THREADS）",
        )
        parser.add_argument("--no-demo", action="store_true", help="空库时不载入演示城市")

    def handle(self, *args, host, port, workers, threads, no_demo, **options):
        # Until gunicorn installs its own handlers, SIGTERM stops as quietly as Ctrl-C.
        signal.signal(signal.SIGTERM, _interrupt)
        try:
            banner = self.prepare(f"http://{host}:{port}/", no_demo=no_demo)
        except KeyboardInterrupt:
            self.stderr.write("已停止 (stopped).")
            return
        # Forked workers must not share the master's database connections.
        connections.close_all()
        self.serve(host=host, port=port, workers=workers, threads=threads, banner=banner)

    def prepare(self, url: str, *, no_demo: bool) -> str:
        call_command("migrate", interactive=False, verbosity=0)
        # Never put a city with a published password into a production database.
        if not no_demo and not settings.PRODUCTION and not Area.objects.exists():
            summary = load_demo()
            self.stdout.write(f"已载入演示城市（{summary.seconds:.1f} 秒）。")
        call_command("collectstatic", interactive=False, verbosity=0)
        _refresh_statistics()
        return self.banner(url)

    def serve(self, *, host: str, port: int, workers: int, threads: int, banner: str) -> None:
        from django.core.wsgi import get_wsgi_application

        def when_ready(_server):
            sys.stdout.write(banner)
            sys.stdout.flush()

        options = {
            "bind": f"{host}:{port}",
            "workers": workers,
            "threads": threads,
            "worker_class": "gthread",
            "proc_name": "fengqiao",
            # gunicorn's runtime control socket lives in one fixed place per user; two
            # instances (a test beside `make run`) would fight over it, and we don't use it.
            "control_socket_disable": True,
            "when_ready": when_ready,
            "accesslog": "-" if settings.DEBUG else None,
        }
        application = get_wsgi_application()
        # The workers are forked from this process: objects made so far (Django, the
        # URL conf, the app registry) are shared with them page by page until written.
        # Without this, a worker's first garbage collection writes to every object's
        # header and so copies all those pages into each worker (bench finding 8).
        gc.collect()
        gc.freeze()
        Server(application, options).run()

    def banner(self, url: str) -> str:
        lines = [f"\n枫桥 Fengqiao: {url}", "按 Ctrl-C 停止 (Ctrl-C stops it)."]
        demo = User.objects.filter(username=BANNER_ACCOUNTS[0]).first()
        if demo is not None and demo.check_password(DEMO_PASSWORD):
            lines.append(f"演示账号 demo accounts — 密码 password: {DEMO_PASSWORD}")
            assignments = Assignment.objects.filter(user__username__in=BANNER_ACCOUNTS)
            for a in assignments.select_related("user", "area").order_by("area__path", "role"):
                role = a.get_role_display()
                lines.append(f"  {a.user.username:<20} {a.area.name} · {role}")
            lines.append("  … 每个区域层级、每种角色都有账号，见 README。")
        return "\n".join(lines) + "\n\n"


def _refresh_statistics() -> None:
    """SQLite plans by the statistics ANALYZE leaves (PostgreSQL's autovacuum keeps its
    own): refresh them at every start, sampling at most 1,000 rows per index so that a
    city-sized file takes well under a second."""
    connection = connections["default"]
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as c:
        c.execute("PRAGMA analysis_limit=1000")
        c.execute("ANALYZE")


def _interrupt(signum, frame):
    raise KeyboardInterrupt
