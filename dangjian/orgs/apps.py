from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "dangjian.orgs"
    verbose_name = "组织与账号"

    def ready(self) -> None:
        from dangjian import checks  # noqa: F401 — registers the deployment checks
        from dangjian.lib.forms import bound_every_date_field

        bound_every_date_field()
