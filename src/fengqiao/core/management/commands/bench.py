"""``fengqiao bench seed --cases N`` builds the bench city; ``fengqiao bench run``
measures it; ``fengqiao bench startup`` times a first start (see bench/README.md)."""

import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from fengqiao.bench.city import BENCH_PASSWORD, Shape


class Command(BaseCommand):
    help = "城市规模基准：seed 生成整座城市与多年事项，run 测量各页面与接口。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="what", required=True)
        seed = sub.add_parser("seed", help="在空库中生成基准城市")
        seed.add_argument("--cases", type=int, default=100_000)
        seed.add_argument("--towns", type=int, default=Shape.towns)
        seed.add_argument("--communities", type=int, default=Shape.communities_per_town)
        seed.add_argument("--grids", type=int, default=Shape.grids_per_community)
        seed.add_argument("--seed", type=int, default=None)
        run = sub.add_parser("run", help="对已生成的城市运行基准")
        run.add_argument("--repeat", type=int, default=30, help="每项读取的重复次数")
        run.add_argument("--only", default="", help="逗号分隔的基准名")
        run.add_argument("--http-seconds", type=int, default=10, help="每项 HTTP 压测秒数")
        run.add_argument("--no-http", action="store_true", help="只用测试客户端")
        run.add_argument("--concurrency", type=int, default=8, help="HTTP 并发连接数")
        run.add_argument("--json", default="", help="结果另存为 JSON 文件")
        startup = sub.add_parser("startup", help="测量空库首次启动（迁移、演示城市、首页）")
        startup.add_argument("--repeat", type=int, default=3, help="冷启动次数")

    def handle(self, *args, what, **options):
        if what == "seed":
            self.seed(options)
        elif what == "startup":
            from fengqiao.bench import startup

            startup.run(options["repeat"], out=self.stdout.write)
        else:
            from fengqiao.bench import run

            run.CONCURRENCY = options["concurrency"]
            results = run.run_all(
                repeat=options["repeat"],
                only=[s for s in options["only"].split(",") if s],
                http_seconds=options["http_seconds"],
                http=not options["no_http"],
                out=self.stdout.write,
            )
            if options["json"]:
                run.save(results, options["json"])

    def seed(self, options):
        from fengqiao.bench import seed, sink

        call_command("migrate", interactive=False, verbosity=0)
        shape = Shape(
            towns=options["towns"],
            communities_per_town=options["communities"],
            grids_per_community=options["grids"],
        )
        last = [time.perf_counter()]

        def progress(what: str, n: int) -> None:
            if time.perf_counter() - last[0] > 10:
                last[0] = time.perf_counter()
                self.stdout.write(f"  {what}: {n:,}")

        kwargs = {"shape": shape, "progress": progress}
        if options["seed"] is not None:
            kwargs["rng_seed"] = options["seed"]
        try:
            summary = seed.seed(options["cases"], **kwargs)
        except seed.CityExists as exc:
            raise CommandError(str(exc)) from exc
        counts = "，".join(f"{k} {v:,}" for k, v in summary.counts.items())
        times = "，".join(f"{k} {v:.1f} s" for k, v in summary.seconds.items())
        self.stdout.write(f"基准城市已生成：{counts}")
        self.stdout.write(f"用时：{times}（索引重建含于 people、cases）")
        slowest = sorted(sink.built.items(), key=lambda item: -item[1])[:5]
        if slowest:
            builds = "，".join(f"{name} {seconds:.1f} s" for name, seconds in slowest)
            self.stdout.write(f"最慢的索引重建：{builds}")
        self.stdout.write(f"所有账号密码：{BENCH_PASSWORD}")
