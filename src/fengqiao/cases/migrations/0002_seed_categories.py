"""Seed the national dispute classes (19), with the pastoral subtypes seen in Inner
Mongolia under land and resource ownership, and the grid event classes (8)."""

from django.db import migrations

DISPUTES = [
    "民族宗教",
    "军转干部及复退军人安置",
    "征地拆迁安置",
    "建筑工程质量及物业管理",
    "土地、矿产、山林、水利等权属",
    "经济活动",
    "劳资",
    "企业改制",
    "环境污染及生态破坏",
    "司法活动",
    "行政执法活动",
    "大中专院校及中小学校",
    "海事渔事",
    "干部作风",
    "村（社区、居）务管理",
    "农村土地承包及集体“三资”、农民负担",
    "婚姻家庭邻里等民间纠纷",
    "医患",
    "其他",
]
PASTORAL_PARENT = 5  # 土地、矿产、山林、水利等权属
PASTORAL = [
    "草牧场边界",
    "牛羊越界",
    "草原承包经营权",
    "养殖粪污异味",
    "农药误喷",
    "建筑遮光",
    "排水排污",
]
GRID_EVENTS = [
    "民生服务",
    "矛盾劝解",
    "参与治安防控",
    "参与特殊人群服务管理",
    "社情民意收集",
    "政策法律宣传",
    "突发事件报告",
    "其它",
]


def seed(apps, schema_editor):
    Category = apps.get_model("cases", "Category")
    parents = {}
    for i, name in enumerate(DISPUTES, start=1):
        parents[i] = Category.objects.create(code=f"D{i:02d}", name=name, group="dispute", sort=i)
    for j, name in enumerate(PASTORAL, start=1):
        Category.objects.create(
            code=f"D{PASTORAL_PARENT:02d}{j:02d}",
            name=name,
            group="dispute",
            parent=parents[PASTORAL_PARENT],
            sort=j,
        )
    for i, name in enumerate(GRID_EVENTS, start=1):
        Category.objects.create(code=f"G{i:02d}", name=name, group="grid_event", sort=i)


def unseed(apps, schema_editor):
    Category = apps.get_model("cases", "Category")
    Category.objects.filter(parent__isnull=False).delete()
    Category.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
