from django import template

register = template.Library()


@register.filter
def who(user, default: str = "系统") -> str:
    """A user's full name, else username; `default` for none (records written by a command)."""
    if user is None:
        return default
    return user.get_full_name() or user.username
