"""``fengqiao analytics rebuild``: recompute every case fact and the daily roll-up from
the cases (after an import, a restore, or a change to a figure's definition)."""

import time

from django.core.management.base import BaseCommand
from django.db import transaction

from fengqiao.analytics.rebuild import rebuild as rebuild_figures


class Command(BaseCommand):
    help = "统计数据：rebuild 从事项重新计算全部指标数据"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        rebuild = sub.add_parser("rebuild", help="从事项重新计算全部指标数据")
        rebuild.add_argument("--batch", type=int, default=2000)
        bench = sub.add_parser("bench", help="测量驾驶舱指标的计算时间（市/镇，月/年）")
        bench.add_argument("--repeat", type=int, default=15)

    def handle(self, *args, action: str, batch: int = 2000, repeat: int = 15, **options):
        if action == "bench":
            self.bench(repeat)
            return
        started = time.monotonic()
        # One transaction: readers see the old figures until the new ones are complete.
        with transaction.atomic():
            count = rebuild_figures(batch=batch)
        seconds = time.monotonic() - started
        self.stdout.write(f"已重新计算 {count} 件事项的指标数据，用时 {seconds:.1f} 秒。")

    def bench(self, repeat: int) -> None:
        """Median and p95 of the dashboard's data (all its queries) for the city and the
        busiest town, over the latest month and year with cases; and the query count."""
        import statistics

        from django.db import connection, reset_queries
        from django.test.utils import CaptureQueriesContext

        from fengqiao.analytics import dashboard
        from fengqiao.analytics.models import DailyFigure
        from fengqiao.analytics.periods import period_of
        from fengqiao.areas.models import Area, Level

        last = DailyFigure.objects.order_by("-day").values_list("day", flat=True).first()
        city = Area.objects.filter(level=Level.CITY).order_by("path").first()
        if last is None or city is None:
            self.stdout.write("没有数据。")
            return
        town = Area.objects.filter(level=Level.TOWN, path__startswith=city.path).order_by("path")[0]
        for area in (city, town):
            for kind in ("month", "year"):
                period = period_of(kind, last)
                times = []
                for _ in range(repeat):
                    reset_queries()
                    started = time.perf_counter()
                    with CaptureQueriesContext(connection) as queries:
                        dashboard.build(area, period)
                    times.append((time.perf_counter() - started) * 1000)
                times.sort()
                p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
                self.stdout.write(
                    f"{area.name}（{area.get_level_display()}）{period.label}: "
                    f"中位 {statistics.median(times):.1f} ms，p95 {p95:.1f} ms，"
                    f"{len(queries)} 次查询"
                )
