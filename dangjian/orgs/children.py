"""Pages above community level show a row per child org (a street's communities, a district's
streets), not hundreds of branches: which orgs those are, and records' figures summed into them."""

from __future__ import annotations

from .models import COMMUNITY_KINDS, PATH_STEP, Org, OrgKind


def above_community(org: Org) -> bool:
    """A street or district: its pages show a row per child org (community, street), not per branch."""
    return org.kind not in (*COMMUNITY_KINDS, OrgKind.BRANCH, OrgKind.GROUP)


def children_of(org: Org) -> list[Org]:
    return list(Org.objects.filter(parent=org).exclude(kind=OrgKind.GROUP).order_by("sort", "path"))


def fold_by_child(org: Org, items: list[dict], org_key: str, sums: tuple[str, ...]) -> list[dict]:
    """Items naming an org below `org` by id (`item[org_key]`), summed per child of `org` in the
    children's order: {"org": child, "count": items folded in, **{name: sum of item[name]}}.
    One query for the items' org paths, however many items."""
    paths = dict(Org.objects.filter(pk__in={i[org_key] for i in items}).values_list("pk", "path"))
    rows = {c.path: {"org": c, "count": 0, **dict.fromkeys(sums, 0)} for c in children_of(org)}
    width = len(org.path) + PATH_STEP + 1
    for item in items:
        row = rows.get(paths.get(item[org_key], "")[:width])
        if row is not None:
            row["count"] += 1
            for name in sums:
                row[name] += item[name]
    return list(rows.values())
