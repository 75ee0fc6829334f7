"""组织关系转接 with its letters, on top of the dated memberships of services.py: a 转出 ends the
membership on the day of leaving (inside the deployment it starts the new one the same day),
a 转入 starts it on the day the letter was received. One Transfer row on each side."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from dangjian.orgs.models import Org

from .choices import EventKind, Since
from .models import Member, MemberEvent, Transfer
from .services import member_create, member_move, member_transfer_in, member_transfer_out


def _month(day: date | None) -> date | None:
    return day.replace(day=1) if day else None


@transaction.atomic
def transfer_out(*, member: Member, on: date, letter_number: str, letter_date: date | None = None,
                 to_org: Org | None = None, to_place: str = "", dues_paid_to: date | None = None, user=None,
                 note: str = "") -> Transfer:
    """转出 on `on` with its 介绍信. To an organisation of the deployment (`to_org`): the member
    moves there the same day and both sides get their row; elsewhere (`to_place`): the member
    leaves the roll and the 回执 is expected."""
    letter_number = (letter_number or "").strip()
    if not letter_number:
        raise ValidationError({"letter_number": "请填写介绍信编号"})
    letter_date = letter_date or on
    if on < letter_date:
        raise ValidationError({"on": "转出日期不能早于介绍信日期"})
    if member.is_archived:
        raise ValidationError(f"{member.name}已归档（{member.archive_reason}），不能再转出")
    origin = member.org
    common = {"member": member, "letter_number": letter_number, "letter_date": letter_date, "on": on, "recorded_by": user}
    if to_org is not None:
        if to_org.pk == origin.pk:
            raise ValidationError({"to_org": "转入的党组织与现在的相同"})
        member_move(member=member, org=to_org, on=on, user=user, note=f"组织关系转接（介绍信{letter_number}）")
        inbound = Transfer(direction=Transfer.Direction.IN, org=to_org, other_org=origin, place=origin.name, **common)
        inbound.full_clean()
        inbound.save()
        out = Transfer(direction=Transfer.Direction.OUT, org=origin, other_org=to_org, place=to_org.name,
                       dues_paid_to=_month(dues_paid_to), receipt_on=on, counterpart=inbound, note=note, **common)
    else:
        to_place = (to_place or "").strip()
        if not to_place:
            raise ValidationError({"to_place": "请填写转往的党组织"})
        member_transfer_out(member=member, on=on, user=user, to_org=to_place, note=f"介绍信{letter_number}")
        out = Transfer(direction=Transfer.Direction.OUT, org=origin, place=to_place, dues_paid_to=_month(dues_paid_to),
                       note=note, **common)
    out.full_clean()
    out.save()
    return out


@transaction.atomic
def transfer_in(*, member: Member, org: Org, on: date, letter_number: str, letter_date: date, from_place: str,
                user=None, note: str = "") -> Transfer:
    """转入 from outside the deployment: the member (new, or one who once left) belongs to `org`
    from the day the letter was received."""
    if not (letter_number or "").strip():
        raise ValidationError({"letter_number": "请填写介绍信编号"})
    if not (from_place or "").strip():
        raise ValidationError({"from_place": "请填写原所在党组织"})
    if on < letter_date:
        raise ValidationError({"on": "收到介绍信的日期不能早于介绍信日期"})
    member.org = org
    if member.pk and member.is_archived:
        member_transfer_in(member=member, on=on, user=user, from_org=from_place, note=f"介绍信{letter_number}")
    elif member.pk:
        raise ValidationError(f"{member.name}的组织关系仍在本系统内，请用转出到本系统内的党组织")
    else:
        member_create(member=member, since=on, user=user, reason=f"组织关系转入（{on:%Y-%m-%d}）",
                      since_reason=Since.TRANSFER_IN)
        MemberEvent.objects.create(member=member, kind=EventKind.TRANSFER_IN, on=on, from_org=from_place,
                                   note=f"介绍信{letter_number}", recorded_by=user)
    inbound = Transfer(direction=Transfer.Direction.IN, member=member, org=org, place=from_place.strip(),
                       letter_number=letter_number.strip(), letter_date=letter_date, on=on, note=note, recorded_by=user)
    inbound.full_clean()
    inbound.save()
    return inbound


@transaction.atomic
def transfer_receipt_record(*, transfer: Transfer, on: date, user=None) -> Transfer:
    """The 回执 of a 转出 letter came back."""
    if transfer.direction != Transfer.Direction.OUT:
        raise ValidationError("只有转出才有回执")
    if transfer.receipt_on is not None:
        raise ValidationError(f"回执已于{transfer.receipt_on:%Y-%m-%d}登记")
    transfer.receipt_on = on
    if user is not None:
        transfer._history_user = user
    transfer.full_clean()
    transfer.save()
    return transfer
