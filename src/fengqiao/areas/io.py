"""The area tree as files: CSV and XLSX in the shape of the official 统计用区划代码 list
(区划代码, 名称, 上级代码, 层级) plus a grid list (网格编码, 网格名称, 所属社区代码, 户数,
网格员). Reading and checking live here; the write is ``actions.import_tree``."""

import contextlib
import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook

from fengqiao.accounts.models import Assignment, Role, User

from . import codes
from .models import LEVEL_ORDER, Area, Level

AREA_SHEET = "区划"
GRID_SHEET = "网格"
AREA_HEADER = ["区划代码", "名称", "上级代码", "层级"]
GRID_HEADER = ["网格编码", "网格名称", "所属社区代码", "户数", "网格员"]
FILE_LEVELS = [Level.CITY, Level.DISTRICT, Level.TOWN, Level.COMMUNITY]

# Header spellings seen in published lists, mapped to our column keys.
AREA_COLUMNS = {
    "code": ("区划代码", "统计用区划代码", "代码"),
    "name": ("名称", "区划名称"),
    "parent": ("上级代码", "上级区划代码"),
    "level": ("层级", "级别"),
}
GRID_COLUMNS = {
    "code": ("网格编码", "网格代码"),
    "name": ("网格名称", "名称"),
    "community": ("所属社区代码", "社区代码", "所属村社区代码"),
    "households": ("户数", "规划户数"),
    "workers": ("网格员", "网格员账号"),
}
# The first name of each level is the one written on export (the statistical list's
# own terms); the numbers are the list's level numbers (1 = province).
LEVEL_NAMES = {
    Level.CITY: ("市级", "地级", "市", "2", "city"),
    Level.DISTRICT: ("县级", "区县", "旗区县", "区", "县", "旗", "3", "district"),
    Level.TOWN: ("乡级", "乡镇", "苏木乡镇/街道", "街道", "镇", "乡", "苏木", "4", "town"),
    Level.COMMUNITY: ("村级", "村社区", "嘎查村/社区", "社区", "村", "嘎查", "5", "community"),
}
_LEVEL_BY_NAME = {n: level for level, names in LEVEL_NAMES.items() for n in names}
_WORKER_SPLIT = re.compile(r"[;,；，、\s]+")
_LOOKUP_CHUNK = 2000
_SCAN_ALL = 20_000
_HEADER_SEARCH = 5
_REQUIRED = ("code", "name", "community")

Table = list[tuple[int, dict[str, str]]]


class FileFormatError(ValueError):
    """A file that cannot be read as a table at all; the message is for the user."""


@dataclass(frozen=True)
class Problem:
    sheet: str
    line: int
    code: str
    reason: str


@dataclass(frozen=True)
class AreaRow:
    line: int
    code: str
    name: str
    level: str
    parent_code: str


@dataclass(frozen=True)
class GridRow:
    line: int
    code: str
    name: str
    community_code: str
    households: int
    workers: tuple[str, ...]


@dataclass(frozen=True)
class Existing:
    id: int
    path: str
    level: str
    name: str
    households_planned: int
    parent_code: str


@dataclass
class ImportPlan:
    """A checked import: the rows, what the database already holds, and the problems."""

    areas: list[AreaRow] = field(default_factory=list)
    grids: list[GridRow] = field(default_factory=list)
    existing: dict[str, Existing] = field(default_factory=dict)
    user_ids: dict[str, int] = field(default_factory=dict)
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


# --- reading ------------------------------------------------------------------


def read_tables(data: bytes, filename: str) -> tuple[Table, Table | None]:
    """The area table and, for a workbook with a 网格 sheet, the grid table."""
    if _is_xlsx(data, filename):
        sheets = _read_workbook(data)
        area_sheet = sheets.get(AREA_SHEET) or next(iter(sheets.values()), None)
        if area_sheet is None:
            raise FileFormatError(_("工作簿中没有工作表"))
        return _tabulate(area_sheet, AREA_COLUMNS), _optional(sheets.get(GRID_SHEET))
    return _tabulate(_read_csv(data), AREA_COLUMNS), None


def read_grid_table(data: bytes, filename: str) -> Table:
    if _is_xlsx(data, filename):
        sheets = _read_workbook(data)
        sheet = sheets.get(GRID_SHEET) or next(iter(sheets.values()), None)
        if sheet is None:
            raise FileFormatError(_("工作簿中没有工作表"))
        return _tabulate(sheet, GRID_COLUMNS)
    return _tabulate(_read_csv(data), GRID_COLUMNS)


def _optional(rows: list[list[str]] | None) -> Table | None:
    return None if rows is None else _tabulate(rows, GRID_COLUMNS)


def _is_xlsx(data: bytes, filename: str) -> bool:
    # An XLSX file is a zip archive whatever its name says.
    return data[:4] == b"PK\x03\x04" or filename.lower().endswith(".xlsx")


def _read_workbook(data: bytes) -> dict[str, list[list[str]]]:
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        raise FileFormatError(_("无法读取 XLSX 文件：%(error)s") % {"error": exc}) from exc
    try:
        return {
            ws.title: [[_cell(v) for v in row] for row in ws.iter_rows(values_only=True)]
            for ws in book.worksheets
        }
    finally:
        book.close()


def _cell(value: object) -> str:
    if value is None:
        return ""
    # Spreadsheets turn long codes into numbers; 150621100201.0 means "150621100201".
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _read_csv(data: bytes) -> list[list[str]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise FileFormatError(_("CSV 文件须为 UTF-8 或 GB18030 编码"))
    first = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first and "," not in first else ","
    return [[c.strip() for c in row] for row in csv.reader(io.StringIO(text), delimiter=delimiter)]


def _tabulate(rows: list[list[str]], columns: dict[str, tuple[str, ...]]) -> Table:
    """Rows as (line number, {column key: value}) below the header row.

    Published lists often open with a title line or two; the header is the first of
    the top rows that names the code column."""
    if not rows:
        raise FileFormatError(_("文件为空"))
    top = next((i for i, row in enumerate(rows[:_HEADER_SEARCH]) if _header_index(row, columns)), 0)
    index = _header_index(rows[top], columns)
    missing = [names[0] for key, names in columns.items() if key in _REQUIRED and key not in index]
    if missing:
        raise FileFormatError(_("缺少必需的列：%(columns)s") % {"columns": "、".join(missing)})
    table: Table = []
    for number, row in enumerate(rows[top + 1 :], start=top + 2):
        if not any(row):
            continue
        table.append((number, {k: row[i] if i < len(row) else "" for k, i in index.items()}))
    return table


def _header_index(row: list[str], columns: dict[str, tuple[str, ...]]) -> dict[str, int]:
    """Column key -> position, for a row that names the code column; else {}."""
    header = [h.strip().lstrip("\ufeff") for h in row]
    index: dict[str, int] = {}
    for key, names in columns.items():
        for i, h in enumerate(header):
            if h in names and key not in index:
                index[key] = i
    return index if "code" in index else {}


# --- checking -----------------------------------------------------------------


def check(area_table: Table, grid_table: Table | None = None) -> ImportPlan:
    """Check every row against the codes' structure, GB/T 2260, the file itself and the
    database; collect every problem rather than stopping at the first."""
    grid_table = grid_table or []
    plan = ImportPlan()
    plan.existing = _existing(_codes_in(area_table, grid_table))
    candidates = _check_area_rows(area_table, plan)
    file_levels = {row.code: row.level for row in candidates}
    seen_codes = {cells.get("code", "") for _line, cells in area_table}
    for row in candidates:
        if _check_area_placement(row, file_levels, seen_codes, plan):
            plan.areas.append(row)
    _check_grid_rows(grid_table, file_levels, seen_codes, plan)
    plan.errors.sort(key=lambda p: (p.sheet != AREA_SHEET, p.line))
    return plan


def _err(plan: ImportPlan, sheet: str, line: int, code: str, reason: str) -> None:
    plan.errors.append(Problem(sheet, line, code, reason))


def _check_area_rows(table: Table, plan: ImportPlan) -> list[AreaRow]:
    """Checks that need only the row itself and the rows before it."""
    first_line: dict[str, int] = {}
    rows: list[AreaRow] = []
    for line, cells in table:
        code, name = cells.get("code", ""), cells.get("name", "")
        count = len(plan.errors)
        level = _level_or_error(plan, line, code)
        if not name:
            _err(plan, AREA_SHEET, line, code, _("缺少名称"))
        elif len(name) > 100:
            _err(plan, AREA_SHEET, line, code, _("名称超过100个字符"))
        if code and code in first_line:
            _err(
                plan,
                AREA_SHEET,
                line,
                code,
                _("区划代码在文件中重复（第 %(line)d 行已出现）") % {"line": first_line[code]},
            )
            continue
        first_line.setdefault(code, line)
        if level is None:
            continue
        if level in (Level.CITY, Level.DISTRICT) and not codes.is_in_gbt2260(code):
            _err(
                plan,
                AREA_SHEET,
                line,
                code,
                _("县级及以上区划代码 %(code)s 不在国家标准 GB/T 2260 中") % {"code": code[:6]},
            )
        _check_level_column(plan, line, code, level, cells.get("level", ""))
        parent = _parent_or_error(plan, line, code, level, cells.get("parent", ""))
        if len(plan.errors) == count:
            rows.append(AreaRow(line, code, name, level, parent))
    return rows


def _level_or_error(plan: ImportPlan, line: int, code: str) -> str | None:
    if not code:
        _err(plan, AREA_SHEET, line, code, _("缺少区划代码"))
        return None
    try:
        return codes.level_of(code)
    except codes.CodeError as exc:
        _err(plan, AREA_SHEET, line, code, str(exc))
        return None


def _check_level_column(plan: ImportPlan, line: int, code: str, level: str, value: str) -> None:
    if not value:
        return
    named = _LEVEL_BY_NAME.get(value)
    if named is None:
        _err(plan, AREA_SHEET, line, code, _("无法识别的层级“%(value)s”") % {"value": value})
    elif named != level:
        _err(
            plan,
            AREA_SHEET,
            line,
            code,
            _("层级“%(value)s”与区划代码不符（应为%(level)s）")
            % {"value": value, "level": Level(level).label},
        )


def _parent_or_error(plan: ImportPlan, line: int, code: str, level: str, value: str) -> str:
    if level == Level.CITY:
        if value:
            _err(plan, AREA_SHEET, line, code, _("市级区域是区域树的根，不能有上级代码"))
        return ""
    if not value:
        return codes.parent_code_of(code, level)
    if not codes.CODE_RE.match(value):
        _err(plan, AREA_SHEET, line, code, _("上级代码须为12位数字"))
    return value


def _check_area_placement(
    row: AreaRow, file_levels: dict[str, str], seen_codes: set[str], plan: ImportPlan
) -> bool:
    """Checks against the parent and the database; False when the row is refused."""
    count = len(plan.errors)
    if row.parent_code:
        parent_level = file_levels.get(row.parent_code)
        if parent_level is None and row.parent_code in plan.existing:
            parent_level = plan.existing[row.parent_code].level
        expected = LEVEL_ORDER[LEVEL_ORDER.index(row.level) - 1]
        if parent_level is None and row.parent_code not in seen_codes:
            _err(
                plan,
                AREA_SHEET,
                row.line,
                row.code,
                _("上级区域 %(code)s 不存在（文件和系统中都没有）") % {"code": row.parent_code},
            )
        elif parent_level is not None and parent_level != expected:
            _err(
                plan,
                AREA_SHEET,
                row.line,
                row.code,
                _("层级不符：%(level)s不能直接隶属于%(parent_level)s %(parent)s")
                % {
                    "level": Level(row.level).label,
                    "parent_level": Level(parent_level).label,
                    "parent": row.parent_code,
                },
            )
        elif parent_level is not None and not row.code.startswith(
            codes.prefix_of(row.parent_code, parent_level)
        ):
            _err(
                plan,
                AREA_SHEET,
                row.line,
                row.code,
                _("区划代码与上级代码 %(parent)s 不一致") % {"parent": row.parent_code},
            )
    _check_against_existing(plan, AREA_SHEET, row.line, row.code, row.level, row.parent_code)
    return len(plan.errors) == count


def _check_against_existing(
    plan: ImportPlan, sheet: str, line: int, code: str, level: str, parent_code: str
) -> None:
    ex = plan.existing.get(code)
    if ex is None:
        return
    if ex.level != level:
        _err(
            plan,
            sheet,
            line,
            code,
            _("代码已被系统中的%(level)s区域使用") % {"level": Level(ex.level).label},
        )
    elif ex.parent_code != parent_code:
        _err(
            plan,
            sheet,
            line,
            code,
            _("系统中该区域隶属于 %(parent)s，导入不能调整隶属关系") % {"parent": ex.parent_code},
        )


def _check_grid_rows(
    table: Table, file_levels: dict[str, str], area_codes: set[str], plan: ImportPlan
) -> None:
    first_line: dict[str, int] = {}
    usernames = {u for _line, cells in table for u in _workers(cells.get("workers", ""))}
    plan.user_ids = _user_ids(usernames)
    for line, cells in table:
        code, name = cells.get("code", ""), cells.get("name", "")
        community = cells.get("community", "")
        count = len(plan.errors)
        if not code:
            _err(plan, GRID_SHEET, line, code, _("缺少网格编码"))
        elif not codes.GRID_CODE_RE.match(code):
            _err(plan, GRID_SHEET, line, code, _("网格编码只能由字母、数字、- 和 _ 组成，最长20位"))
        elif code in first_line:
            _err(
                plan,
                GRID_SHEET,
                line,
                code,
                _("网格编码在文件中重复（第 %(line)d 行已出现）") % {"line": first_line[code]},
            )
        elif code in area_codes:
            _err(plan, GRID_SHEET, line, code, _("网格编码与区划文件中的区划代码重复"))
        first_line.setdefault(code, line)
        if not name:
            _err(plan, GRID_SHEET, line, code, _("缺少网格名称"))
        elif len(name) > 100:
            _err(plan, GRID_SHEET, line, code, _("名称超过100个字符"))
        households = _households_or_error(plan, line, code, cells.get("households", ""))
        _check_grid_community(plan, line, code, community, file_levels, area_codes)
        if len(plan.errors) == count:
            _check_against_existing(plan, GRID_SHEET, line, code, Level.GRID, community)
        if len(plan.errors) != count:
            continue
        workers = tuple(_workers(cells.get("workers", "")))
        for username in workers:
            if username not in plan.user_ids:
                plan.warnings.append(
                    Problem(
                        GRID_SHEET,
                        line,
                        code,
                        _("网格员账号“%(username)s”不存在，未设置其任职") % {"username": username},
                    )
                )
        plan.grids.append(GridRow(line, code, name, community, households, workers))


def _households_or_error(plan: ImportPlan, line: int, code: str, value: str) -> int:
    if not value:
        return 0
    if value.isdigit() and int(value) <= 100_000:
        return int(value)
    _err(plan, GRID_SHEET, line, code, _("户数须为0到100000之间的整数"))
    return 0


def _check_grid_community(
    plan: ImportPlan,
    line: int,
    code: str,
    community: str,
    file_levels: dict[str, str],
    area_codes: set[str],
) -> None:
    if not community:
        _err(plan, GRID_SHEET, line, code, _("缺少所属社区代码"))
        return
    level = file_levels.get(community)
    if level is None and community in plan.existing:
        level = plan.existing[community].level
    if level is None and community in area_codes:
        return  # a bad row of the area file: reported there
    if level is None:
        _err(
            plan,
            GRID_SHEET,
            line,
            code,
            _("所属社区 %(code)s 不存在（文件和系统中都没有）") % {"code": community},
        )
    elif level != Level.COMMUNITY:
        _err(
            plan,
            GRID_SHEET,
            line,
            code,
            _("所属区域 %(code)s 是%(level)s，网格只能设在嘎查村/社区下")
            % {"code": community, "level": Level(level).label},
        )


def _workers(value: str) -> list[str]:
    return [u for u in _WORKER_SPLIT.split(value) if u]


def _codes_in(area_table: Table, grid_table: Table) -> set[str]:
    found: set[str] = set()
    for _line, cells in area_table:
        code = cells.get("code", "")
        found.add(code)
        found.add(cells.get("parent", ""))
        with contextlib.suppress(codes.CodeError):
            found.add(codes.parent_code_of(code, codes.level_of(code)))
    for _line, cells in grid_table:
        found.update((cells.get("code", ""), cells.get("community", "")))
    found.discard("")
    return found


def _existing(wanted: Iterable[str]) -> dict[str, Existing]:
    wanted = sorted(wanted)
    columns = ("code", "id", "path", "level", "name", "households_planned", "parent__code")
    if len(wanted) > _SCAN_ALL:
        # A large file: one pass over the table beats many IN-lists.
        batches = [Area.objects.values_list(*columns).iterator(chunk_size=10_000)]
    else:
        batches = [
            Area.objects.filter(code__in=wanted[i : i + _LOOKUP_CHUNK]).values_list(*columns)
            for i in range(0, len(wanted), _LOOKUP_CHUNK)
        ]
    keep = set(wanted)
    found: dict[str, Existing] = {}
    for rows in batches:
        for code, pk, path, level, name, households, parent_code in rows:
            if code in keep:
                found[code] = Existing(pk, path, level, name, households, parent_code or "")
    return found


def _user_ids(usernames: set[str]) -> dict[str, int]:
    return dict(User.objects.filter(username__in=usernames).values_list("username", "id"))


# --- writing --------------------------------------------------------------------


def area_rows() -> Iterator[list[str]]:
    """The header and every area from city to community, parents before children."""
    yield AREA_HEADER
    rows = (
        Area.objects.filter(level__in=FILE_LEVELS)
        .order_by("path")
        .values_list("code", "name", "parent__code", "level")
    )
    for code, name, parent_code, level in rows.iterator(chunk_size=5000):
        yield [code, name, parent_code or "", LEVEL_NAMES[level][0]]


def grid_rows() -> Iterator[list[str]]:
    """The header and every grid with its community, size and grid workers."""
    yield GRID_HEADER
    workers: dict[int, list[str]] = {}
    assignments = Assignment.objects.filter(role=Role.GRID_WORKER, area__level=Level.GRID)
    for area_id, username in assignments.order_by("user__username").values_list(
        "area_id", "user__username"
    ):
        workers.setdefault(area_id, []).append(username)
    rows = (
        Area.objects.filter(level=Level.GRID)
        .order_by("path")
        .values_list("id", "code", "name", "parent__code", "households_planned")
    )
    for pk, code, name, parent_code, households in rows.iterator(chunk_size=5000):
        yield [code, name, parent_code or "", str(households), ";".join(workers.get(pk, []))]


def write_csv(rows: Iterable[list[str]], stream: io.TextIOBase) -> None:
    """CSV with a byte-order mark, so that Excel opens the Chinese text correctly."""
    stream.write("\ufeff")
    csv.writer(stream, lineterminator="\r\n").writerows(rows)


def write_xlsx(stream: io.IOBase) -> None:
    """One workbook, sheets 区划 and 网格; codes are written as text, never numbers."""
    book = Workbook(write_only=True)
    for title, rows in ((AREA_SHEET, area_rows()), (GRID_SHEET, grid_rows())):
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(stream)
