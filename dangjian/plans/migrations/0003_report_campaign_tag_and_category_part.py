"""The duty report's classifications: a campaign plan's activity tag (主题教育 …) and, per problem
category, the part of the report that also sums it up (一岗双责/廉政 in part 二, 意识形态工作)."""

from django.db import migrations, models

PARTS = {"作风纪律": "discipline", "党风廉政": "discipline", "意识形态": "ideology"}


def classify(apps, schema_editor):
    ProblemCategory = apps.get_model("plans", "ProblemCategory")
    for name, part in PARTS.items():
        ProblemCategory.objects.filter(name=name, report_part="").update(report_part=part)
    WorkPlan = apps.get_model("plans", "WorkPlan")
    WorkPlan.objects.filter(kind="campaign", campaign_tag="", title__contains="主题教育").update(campaign_tag="主题教育")


class Migration(migrations.Migration):
    dependencies = [("plans", "0002_default_terms")]
    operations = [
        migrations.AddField(
            model_name="problemcategory", name="report_part",
            field=models.CharField(blank=True, choices=[("", "（仅列入“存在问题”）"), ("discipline", "纪律作风和廉政（“一岗双责”）"),
                                                        ("ideology", "意识形态工作")],
                                   default="", help_text="此类问题除列入“存在问题和原因”外，还在报告的哪一部分汇总",
                                   max_length=12, verbose_name="述职报告中另行汇总"),
        ),
        migrations.AddField(
            model_name="workplan", name="campaign_tag",
            field=models.CharField(blank=True, help_text="专项计划（如主题教育）：与组织生活活动的标签一致，述职报告据此汇总相关活动",
                                   max_length=30, verbose_name="活动标签"),
        ),
        migrations.AddField(
            model_name="historicalworkplan", name="campaign_tag",
            field=models.CharField(blank=True, help_text="专项计划（如主题教育）：与组织生活活动的标签一致，述职报告据此汇总相关活动",
                                   max_length=30, verbose_name="活动标签"),
        ),
        migrations.RunPython(classify, migrations.RunPython.noop),
    ]
