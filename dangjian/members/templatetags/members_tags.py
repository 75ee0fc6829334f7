from django import template

register = template.Library()


@register.filter
def person(member) -> str:
    """A member's name as a list shows it: with what tells namesakes apart when the view labelled
    them (members.models.label_namesakes)."""
    return getattr(member, "shown_name", None) or member.name
