from django.db import migrations

# The starting list; a deployment adds, renames or switches off tags in the admin.
DEFAULT_TAGS = [
    ("独居老人", "独自居住的老年人"),
    ("高龄", "高龄老人（一般指80周岁以上）"),
    ("残疾人", "持残疾人证"),
    ("低保", "享受最低生活保障"),
    ("退役军人", ""),
    ("重点关注", "需网格员重点关注的人员"),
    ("空巢老人", ""),
    ("留守儿童", ""),
]


def add_tags(apps, schema_editor):
    ResidentTag = apps.get_model("grid", "ResidentTag")
    for sort, (name, description) in enumerate(DEFAULT_TAGS):
        ResidentTag.objects.get_or_create(name=name, defaults={"description": description, "sort": sort})


class Migration(migrations.Migration):
    dependencies = [("grid", "0001_initial")]
    operations = [migrations.RunPython(add_tags, migrations.RunPython.noop)]
