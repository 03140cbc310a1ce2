"""``fengqiao demo``: load the demo city (鄂尔多斯市) into an empty database."""

from django.core.management.base import BaseCommand

from fengqiao.demo.city import DEMO_PASSWORD, DemoExists, load_demo


class Command(BaseCommand):
    help = "载入演示城市：鄂尔多斯市、达拉特旗白泥井镇、工业街道、昭君街道（合成数据）。"

    def handle(self, *args, **options):
        try:
            summary = load_demo()
        except DemoExists as exc:
            # Loading twice is a no-op, so scripts can call it unconditionally.
            self.stdout.write(f"{exc} 未做任何修改。")
            return
        counts = "，".join(f"{k} {v}" for k, v in summary.counts.items())
        self.stdout.write(f"演示城市已载入（{summary.seconds:.1f} 秒）：{counts}")
        self.stdout.write(f"演示账号密码：{DEMO_PASSWORD}")
