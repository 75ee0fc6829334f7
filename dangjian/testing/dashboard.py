"""The panels a dashboard response drew: the context of each panel template rendered while the
request drew the dashboard (dashboard/kept.py). A response that only read a kept drawing drew
nothing, and asking it for panels is a test's mistake, said as such."""


def drawn_panels(response) -> list[dict]:
    found: dict[int, dict] = {}
    for context in response.context or []:
        for layer in getattr(context, "dicts", [context]):
            p = layer.get("p") if isinstance(layer, dict) else None
            if isinstance(p, dict) and "template" in p:
                found.setdefault(id(p), p)
    assert found, "this response read a kept drawing of the dashboard and drew no panel"
    return list(found.values())
