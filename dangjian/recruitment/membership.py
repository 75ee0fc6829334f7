"""The roster side of recruitment, in one place: admission (a 预备党员 joins the branch), 转正,
and the cancellation of 预备资格. Each goes through the members app's own services."""

from __future__ import annotations

from datetime import date

from dangjian.members.models import Member
from dangjian.members.services import member_admit, member_confirm, member_probation_cancel


def admit(*, applicant, approved_on: date, introducers: str = "", user=None) -> Member:
    """Approved by the higher committee: the person is a 预备党员 of the branch from the day of the
    branch meeting (入党日期), which is when membership and the 预备 status begin."""
    member = Member(name=applicant.name, sex=applicant.sex, birth_date=applicant.birth_date,
                    id_number=applicant.id_number, phone=applicant.phone, education=applicant.education,
                    employer=applicant.employer, org=applicant.org, introducers=introducers[:100])
    return member_admit(member=member, on=applicant.admitted_on, user=user,
                        reason=f"上级党委批准为预备党员（{approved_on:%Y-%m-%d}）")


def confirm(*, member: Member, on: date, approved_on: date, user=None) -> None:
    """转正 from the day probation ended; 党龄 counts from it."""
    member_confirm(member=member, on=on, user=user, note=f"上级党委于{approved_on:%Y-%m-%d}批准")


def cancel(*, member: Member, on: date, decision: str, user=None) -> None:
    """取消预备资格: the person leaves the roll (archived, never deleted) with the decision."""
    member_probation_cancel(member=member, on=on, user=user, reason=f"取消预备资格（{decision}）")
