"""``fengqiao analytics rebuild``: recompute every case fact and the daily roll-up from
the cases (after an import, a restore, or a change to a figure's definition)."""

import time

from django.core.management.base import BaseCommand
from django.db import transaction

from fengqiao.analytics import facts


class Command(BaseCommand):
    help = "统计数据：rebuild 从事项重新计算全部指标数据"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        rebuild = sub.add_parser("rebuild", help="从事项重新计算全部指标数据")
        rebuild.add_argument("--batch", type=int, default=2000)

    def handle(self, *args, action: str, batch: int = 2000, **options):
        started = time.monotonic()
        # One transaction: readers see the old figures until the new ones are complete.
        with transaction.atomic():
            count = facts.rebuild(batch=batch)
        seconds = time.monotonic() - started
        self.stdout.write(f"已重新计算 {count} 件事项的指标数据，用时 {seconds:.1f} 秒。")
