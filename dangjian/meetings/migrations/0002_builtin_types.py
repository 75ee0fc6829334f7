"""The activity types of 三会一课 and the other organisational life (DOMAIN.md §1)."""

from django.db import migrations

from dangjian.meetings.choices import ensure_builtin_types


def add_types(apps, schema_editor):
    ensure_builtin_types(apps.get_model("meetings", "ActivityType"))


def remove_types(apps, schema_editor):
    apps.get_model("meetings", "ActivityType").objects.filter(builtin=True, activities__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("meetings", "0001_initial")]
    operations = [migrations.RunPython(add_types, remove_types)]
