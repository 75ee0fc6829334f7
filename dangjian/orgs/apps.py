from django.apps import AppConfig


def person_name(user) -> str:
    """An account as people see it on records and exports: its holder's name, else the username."""
    return user.get_full_name() or user.get_username()


class OrgsConfig(AppConfig):
    name = "dangjian.orgs"
    verbose_name = "组织与账号"

    def ready(self) -> None:
        from dangjian import checks  # noqa: F401 — registers the deployment checks
        from dangjian.lib.forms import bound_every_date_field

        bound_every_date_field()
        # Records say who did something ("登记人", history rows, 收款人) by printing the account; show
        # the person's name there rather than the login name (zhibu1), without a custom user model.
        from django.contrib.auth import get_user_model

        get_user_model().__str__ = person_name
