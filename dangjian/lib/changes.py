"""A signal for writes that send no model signals: an import's commit (bulk inserts, an UPDATE of
its job) says which org's records changed, so that what is kept from them (the dashboard's
drawings) is redrawn. `org=None` means any org."""

from django.dispatch import Signal

records_changed = Signal()  # sender: the app's module name; org: Org | None
