from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    name = "orgs"
    verbose_name = _("Organisations")

    def ready(self):
        from . import facet_version, search, statistics
        from .roles import sync_after_migrate

        search.connect_signals()
        post_migrate.connect(search.repair_sqlite_index, sender=self)
        post_migrate.connect(facet_version.repair_sqlite_triggers, sender=self)
        post_migrate.connect(statistics.refresh_after_migrate, sender=self)
        post_migrate.connect(sync_after_migrate, sender=self)
