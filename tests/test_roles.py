"""The curator group is created by migration and kept exact after every migrate."""

from django.contrib.auth.models import Group, Permission
from django.core.management import call_command

from orgs.roles import GROUP_NAME, curator_codenames


def group_codenames():
    return set(Group.objects.get(name=GROUP_NAME).permissions.values_list("codename", flat=True))


def test_migrate_restores_the_group_and_exactly_its_permissions(db):
    group = Group.objects.get(name=GROUP_NAME)
    group.permissions.add(Permission.objects.get(codename="delete_user"))
    group.permissions.remove(Permission.objects.get(codename="change_organisation"))

    call_command("migrate", verbosity=0)

    assert group_codenames() == curator_codenames()


def test_migrate_recreates_a_deleted_group(db):
    Group.objects.filter(name=GROUP_NAME).delete()
    call_command("migrate", verbosity=0)
    assert group_codenames() == curator_codenames()


def test_flush_keeps_the_group(db):
    call_command("flush", interactive=False, verbosity=0)
    assert group_codenames() == curator_codenames()
