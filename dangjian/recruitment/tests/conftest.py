"""A person walked through the pipeline step by step (dates of a plausible file)."""

from datetime import date

import pytest

from dangjian.recruitment import services
from dangjian.recruitment.choices import NUMBERED, ONGOING

APPLIED = date(2021, 3, 1)
# Each step's date and fields, in order; a test stops before the step it is about.
WALK = {
    "talk": (date(2021, 3, 15), {"by": "支部书记 王明"}),
    "activist": (date(2021, 6, 1), {"by": "支部委员会", "note": "党员推荐"}),
    "activist_filing": (date(2021, 6, 10), {"by": "社区党委"}),
    "contacts": (date(2021, 6, 10), {"people": "李华、赵敏"}),
    "candidate": (date(2022, 6, 1), {"by": "支部委员会"}),
    "candidate_filing": (date(2022, 6, 10), {}),
    "introducers": (date(2022, 6, 10), {"people": "李华、赵敏"}),
    "political_review": (date(2022, 7, 1), {"doc_number": "政审〔2022〕3号"}),
    "training": (date(2022, 7, 6), {"starts_on": date(2022, 7, 4), "ends_on": date(2022, 7, 6), "hours": 24}),
    "branch_review": (date(2022, 8, 1), {"starts_on": date(2022, 7, 18), "ends_on": date(2022, 7, 22)}),
    "pre_review": (date(2022, 8, 10), {"doc_number": "预审〔2022〕5号"}),
    "application_form": (date(2022, 8, 15), {"doc_number": "0012345"}),
    "branch_meeting": (date(2022, 9, 1), {"votes_for": 18, "votes_against": 0}),
    "committee_talk": (date(2022, 9, 15), {"by": "社区党委委员 陈刚"}),
    "approval": (date(2022, 10, 10), {"doc_number": "和党〔2022〕21号"}),
    "approval_filing": (date(2022, 10, 20), {}),
    "assign": (date(2022, 10, 20), {"note": "编入第一党小组"}),
    "oath": (date(2022, 11, 1), {}),
    "conversion_application": (date(2023, 8, 1), {}),
    "conversion_meeting": (date(2023, 9, 1), {"votes_for": 19, "votes_against": 0}),
    "conversion_approval": (date(2023, 10, 10), {"doc_number": "和党〔2023〕30号"}),
    "archive": (date(2023, 10, 20), {}),
}
ORDER = [s.code for s in NUMBERED if s.code not in ONGOING and s.code != "apply"]


def walk(applicant, until: str, **changes):
    """Record every step not yet recorded before `until` (exclusive); changes: code → date override."""
    done = set(applicant.steps.values_list("code", flat=True))
    for code in ORDER:
        if code == until:
            break
        if code in done:
            continue
        on, fields = WALK[code]
        services.step_record(applicant=applicant, code=code, done_on=changes.get(code, on), **fields)
        applicant.refresh_from_db()
    return applicant


@pytest.fixture
def applicant(world):
    return services.applicant_create(org=world.branch_a, name="周小红", birth_date=date(1998, 5, 4), sex="女",
                                     applied_on=APPLIED, id_number="", phone="13700001234")
