"""``fengqiao areas import FILE [--grids FILE]`` and
``fengqiao areas export --format csv|xlsx OUT [--grids OUT]``."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from fengqiao.areas import actions
from fengqiao.areas import io as areas_io
from fengqiao.areas.models import Level

CLI_ACTOR = "cli"


class Command(BaseCommand):
    help = "导入或导出区域树（统计用区划代码格式的 CSV/XLSX 文件）"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        imp = sub.add_parser("import", help="导入区划文件（及网格文件）")
        imp.add_argument("file", help="区划文件：CSV，或含“区划”“网格”工作表的 XLSX")
        imp.add_argument("--grids", help="网格文件（CSV 或 XLSX）")
        exp = sub.add_parser("export", help="导出区域树")
        exp.add_argument("--format", choices=["csv", "xlsx"], required=True, dest="file_format")
        exp.add_argument("out", help="输出文件")
        exp.add_argument("--grids", help="CSV 格式时网格文件的路径（默认 OUT 旁的 *-grids.csv）")

    def handle(self, *args, **options):
        if options["subcommand"] == "import":
            self.import_files(Path(options["file"]), options.get("grids"))
        else:
            self.export_files(Path(options["out"]), options["file_format"], options.get("grids"))

    def import_files(self, path: Path, grids: str | None) -> None:
        try:
            area_table, grid_table = areas_io.read_tables(path.read_bytes(), path.name)
            if grids:
                grid_path = Path(grids)
                grid_table = areas_io.read_grid_table(grid_path.read_bytes(), grid_path.name)
            summary = actions.import_tree(
                actor=None,
                actor_name=CLI_ACTOR,
                area_table=area_table,
                grid_table=grid_table,
                source=path.name,
            )
        except OSError as exc:
            raise CommandError(str(exc)) from exc
        except areas_io.FileFormatError as exc:
            raise CommandError(str(exc)) from exc
        except actions.TreeImportRejected as exc:
            for p in exc.problems:
                self.stderr.write(f"{p.sheet} 第 {p.line} 行 {p.code}：{p.reason}")
            raise CommandError(str(exc)) from exc
        for p in summary.warnings:
            self.stderr.write(f"{p.sheet} 第 {p.line} 行 {p.code}：{p.reason}")
        if not summary.changed:
            self.stdout.write("无变化：文件内容与系统一致。")
            return
        created = "，".join(f"{Level(lv).label} {n}" for lv, n in summary.created.items())
        self.stdout.write(
            f"导入完成。新增：{created}；改名 {summary.renamed}；户数更新 {summary.resized}；"
            f"新增网格员任职 {summary.assignments_created}；未变 {summary.unchanged}。"
        )

    def export_files(self, out: Path, file_format: str, grids: str | None) -> None:
        if file_format == "xlsx":
            with out.open("wb") as stream:
                areas_io.write_xlsx(stream)
            written = [out]
        else:
            grid_out = Path(grids) if grids else out.with_name(f"{out.stem}-grids.csv")
            with out.open("w", encoding="utf-8", newline="") as stream:
                areas_io.write_csv(areas_io.area_rows(), stream)
            with grid_out.open("w", encoding="utf-8", newline="") as stream:
                areas_io.write_csv(areas_io.grid_rows(), stream)
            written = [out, grid_out]
        actions.record_tree_export(actor=None, actor_name=CLI_ACTOR, file_format=file_format)
        self.stdout.write("已导出：" + "，".join(str(p) for p in written))
