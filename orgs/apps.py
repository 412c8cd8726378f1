from django.apps import AppConfig
from django.core.signals import request_started, setting_changed
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    name = "orgs"
    verbose_name = _("Organisations")

    def ready(self):
        from . import (
            facet_changes,
            facet_version,
            page_cache,
            page_version,
            public_text_version,
            search_schema,
            search_upkeep,
            sqlite_file,
            statistics,
        )
        from .roles import sync_after_migrate

        search_upkeep.connect_signals()
        post_migrate.connect(search_schema.repair_sqlite_index, sender=self)
        post_migrate.connect(facet_version.after_migrate, sender=self)
        post_migrate.connect(facet_changes.after_migrate, sender=self)
        post_migrate.connect(page_version.after_migrate, sender=self)
        post_migrate.connect(public_text_version.after_migrate, sender=self)
        post_migrate.connect(statistics.refresh_after_migrate, sender=self)
        post_migrate.connect(sync_after_migrate, sender=self)
        connection_created.connect(sqlite_file.remember_the_file)
        request_started.connect(sqlite_file.follow_the_file)
        setting_changed.connect(page_cache.forget_on_setting_change)
