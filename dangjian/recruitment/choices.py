"""The five stages and 25 steps of 《中国共产党发展党员工作细则》(2014), and the entries between them."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class Stage(models.IntegerChoices):
    APPLICANT = 1, _("申请入党")
    ACTIVIST = 2, _("入党积极分子")
    CANDIDATE = 3, _("发展对象")
    ADMISSION = 4, _("预备党员接收")
    PROBATION = 5, _("预备党员教育考察和转正")


class Outcome(models.TextChoices):
    ACTIVE = "进行中", _("进行中")
    CONVERTED = "已转正", _("已转正")
    CANCELLED = "取消预备资格", _("取消预备资格")
    STOPPED = "终止培养", _("终止培养")


@dataclass(frozen=True)
class StepDef:
    code: str
    number: int  # 1–25 in the order of the 细则; 0 for entries (思想汇报, 考察, 延长, 取消)
    stage: int
    label: str
    document: str = ""  # what it produces
    people: int = 0  # names it must record (培养联系人 1–2, 入党介绍人 2)
    repeatable: bool = False

    @property
    def stage_label(self) -> str:
        return str(Stage(self.stage).label) if self.stage else ""


STEPS: tuple[StepDef, ...] = (
    StepDef("apply", 1, Stage.APPLICANT, "递交入党申请书", "入党申请书"),
    StepDef("talk", 2, Stage.APPLICANT, "党组织派人谈话", "谈话记录"),
    StepDef("activist", 3, Stage.ACTIVIST, "推荐和确定入党积极分子", "支委会会议记录（党员推荐、群团推优）"),
    StepDef("activist_filing", 4, Stage.ACTIVIST, "报上级党委备案", "入党积极分子备案表"),
    StepDef("contacts", 5, Stage.ACTIVIST, "指定培养联系人", "培养联系人名单", people=2),
    StepDef("activist_training", 6, Stage.ACTIVIST, "培养教育考察", "入党积极分子培养教育考察登记表"),
    StepDef("candidate", 7, Stage.CANDIDATE, "确定发展对象", "支委会会议记录"),
    StepDef("candidate_filing", 8, Stage.CANDIDATE, "报上级党委备案", "发展对象备案表"),
    StepDef("introducers", 9, Stage.CANDIDATE, "确定入党介绍人", "入党介绍人名单", people=2),
    StepDef("political_review", 10, Stage.CANDIDATE, "进行政治审查", "政治审查结论"),
    StepDef("training", 11, Stage.CANDIDATE, "开展集中培训", "培训结业证书"),
    StepDef("branch_review", 12, Stage.ADMISSION, "支部委员会审查（公示）", "支委会审查意见、公示情况"),
    StepDef("pre_review", 13, Stage.ADMISSION, "上级党委预审", "预审意见"),
    StepDef("application_form", 14, Stage.ADMISSION, "填写入党志愿书", "入党志愿书"),
    StepDef("branch_meeting", 15, Stage.ADMISSION, "支部大会讨论", "支部大会决议"),
    StepDef("committee_talk", 16, Stage.ADMISSION, "上级党委派人谈话", "谈话记录"),
    StepDef("approval", 17, Stage.ADMISSION, "上级党委审批", "审批意见"),
    StepDef("approval_filing", 18, Stage.ADMISSION, "再上级党委组织部门备案", "备案材料"),
    StepDef("assign", 19, Stage.PROBATION, "编入党支部和党小组", ""),
    StepDef("oath", 20, Stage.PROBATION, "入党宣誓", ""),
    StepDef("probation_training", 21, Stage.PROBATION, "继续教育考察", "预备党员考察表"),
    StepDef("conversion_application", 22, Stage.PROBATION, "提出转正申请", "转正申请书"),
    StepDef("conversion_meeting", 23, Stage.PROBATION, "支部大会讨论转正", "支部大会决议"),
    StepDef("conversion_approval", 24, Stage.PROBATION, "上级党委审批转正", "审批意见"),
    StepDef("archive", 25, Stage.PROBATION, "材料归档", "入党材料归档"),
    # Entries recorded between the numbered steps.
    StepDef("report", 0, 0, "思想汇报", "思想汇报", repeatable=True),
    StepDef("review", 0, 0, "党支部考察", "考察意见", repeatable=True),
    StepDef("extend", 0, Stage.PROBATION, "延长预备期", "支部大会决议及上级党委审批"),
    StepDef("cancel", 0, Stage.PROBATION, "取消预备资格", "支部大会决议及上级党委审批"),
    StepDef("stop", 0, 0, "终止培养", "支委会会议记录"),
)
BY_CODE: dict[str, StepDef] = {s.code: s for s in STEPS}
NUMBERED: tuple[StepDef, ...] = tuple(s for s in STEPS if s.number)
STEP_CHOICES = [(s.code, f"{s.number}. {s.label}" if s.number else s.label) for s in STEPS]
# Steps that are a stretch of time rather than a moment: the step is done when the next one is.
ONGOING = ("activist_training", "probation_training")
