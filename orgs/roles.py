"""The `curator` group: exactly the permissions a curator needs.

Curators add, change and view organisations and everything that hangs off them
(partnerships, people, citations) and the sources they cite. They may delete a
citation, a partnership or a person, because removing a wrong fact is part of
curating; an organisation is archived, never deleted, and a source is never
deleted by a curator (one still cited cannot be deleted by anyone). Regions and
focus areas are reference data: view only. Submissions from the public are
handled (status, notes) but never added or deleted by curators; confirmation links
are created and viewed. Nothing in `auth`: no user or group
management.

The data migration creates the group on a fresh database; a post_migrate handler
keeps it in sync afterwards (new permissions, or a test database flushed between
tests), so the list below is the single place to change.
"""

GROUP_NAME = "curator"

CURATOR_PERMISSIONS = {
    "organisation": ["add", "change", "view"],
    "partnership": ["add", "change", "delete", "view"],
    "person": ["add", "change", "delete", "view"],
    "citation": ["add", "change", "delete", "view"],
    "source": ["add", "change", "view"],
    "region": ["view"],
    "focusarea": ["view"],
    # Submissions come from the public: curators handle them, never add or delete
    # them. Confirmation links are created from an organisation's page.
    "submission": ["change", "view"],
    "confirmationlink": ["add", "view"],
}


def curator_codenames():
    return {
        f"{action}_{model}" for model, actions in CURATOR_PERMISSIONS.items() for action in actions
    }


def sync_curator_group(apps, using="default", *, create_permissions_first=True):
    """Create the group if missing and give it exactly the curator permissions.

    A data migration runs before any permission exists, so by default they are
    created first. After a migrate or a flush, post_migrate has already created them
    (Django's own receivers run for each app before this one: `auth` comes before
    `orgs` in INSTALLED_APPS), and creating them again cost a flush of the test
    database a query per model."""
    if create_permissions_first:
        _create_permissions(apps, using)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.using(using).get_or_create(name=GROUP_NAME)
    permissions = Permission.objects.using(using).filter(
        content_type__app_label="orgs", codename__in=curator_codenames()
    )
    group.permissions.set(permissions)
    return group


def _create_permissions(apps, using):
    """The permissions of orgs, auth and contenttypes, as post_migrate makes them."""
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        if app_config.label in {"orgs", "auth", "contenttypes"}:
            # Migration state apps have no models module; create_permissions skips
            # such apps unless told otherwise (the pattern Django's docs use).
            models_module = getattr(app_config, "models_module", None)
            app_config.models_module = models_module or True
            try:
                create_permissions(app_config, apps=apps, verbosity=0, using=using)
            finally:
                app_config.models_module = models_module


def sync_after_migrate(sender, app_config=None, using="default", apps=None, **kwargs):
    if app_config is None or app_config.label != "orgs":
        return
    if apps is None:  # `flush` sends no migration state: the project's apps then
        from django.apps import apps
    try:
        apps.get_model("auth", "Group")
    except LookupError:  # auth not installed or not migrated yet
        return
    sync_curator_group(apps, using=using, create_permissions_first=False)
