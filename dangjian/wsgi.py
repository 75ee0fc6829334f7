import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings")
application = get_wsgi_application()


def _refuse_a_broken_deployment() -> None:
    """Any WSGI server (not only `dangjian serve`) stops on a system check error in production."""
    from django.conf import settings
    from django.core import checks
    from django.core.exceptions import ImproperlyConfigured

    if settings.PRODUCTION:
        serious = [e for e in checks.run_checks() if e.is_serious()]
        if serious:
            raise ImproperlyConfigured("\n".join(f"{e.id}: {e.msg}（{e.hint}）" for e in serious))


_refuse_a_broken_deployment()
