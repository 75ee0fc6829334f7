"""The navbar's reminder badge: how many of the user's notifications are unread."""

from django.utils.functional import SimpleLazyObject


def notifications(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def count() -> int:
        from .models import Notification

        return Notification.objects.filter(user=user).unread().count()

    # Lazy: pages that do not draw the navbar (files, htmx fragments) cost no query.
    return {"unread_notifications": SimpleLazyObject(count)}
