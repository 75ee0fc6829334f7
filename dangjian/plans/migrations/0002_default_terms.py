"""The categories and sources a ledger starts with; a deployment adds its own in the admin."""

from django.db import migrations

CATEGORIES = ["理论学习", "调查研究", "意识形态", "组织建设", "作风纪律", "党风廉政", "服务群众", "工作落实", "其他"]
SOURCES = ["自查", "上级督导", "述职评议", "群众反映", "巡察", "组织生活会", "主题教育检视", "其他"]


def seed(apps, schema_editor):
    for model, names in (("ProblemCategory", CATEGORIES), ("ProblemSource", SOURCES)):
        Model = apps.get_model("plans", model)
        for i, name in enumerate(names, start=1):
            Model.objects.get_or_create(name=name, defaults={"sort": i * 10})


class Migration(migrations.Migration):
    dependencies = [("plans", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
