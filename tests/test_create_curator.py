"""`manage.py create_curator`: a staff account in the curator group, or a clear error."""

import io

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from orgs.roles import GROUP_NAME

PASSWORD = "a-long-curator-passphrase-7"


def create_curator(*args, **options):
    out = io.StringIO()
    call_command("create_curator", *args, stdout=out, **options)
    return out.getvalue()


def test_creates_a_staff_curator_with_the_password_from_the_environment(db, monkeypatch):
    monkeypatch.setenv("CURATOR_PASSWORD", PASSWORD)

    output = create_curator("aminata", "--email", "aminata@example.org", "--password-from-env")

    user = User.objects.get(username="aminata")
    assert (user.is_staff, user.is_superuser, user.email) == (True, False, "aminata@example.org")
    assert list(user.groups.values_list("name", flat=True)) == [GROUP_NAME]
    assert user.check_password(PASSWORD)
    assert "aminata" in output


def test_reads_the_password_from_a_named_variable(db, monkeypatch):
    monkeypatch.setenv("DEPLOY_CURATOR_SECRET", PASSWORD)
    create_curator("ousmane", "--password-from-env", "DEPLOY_CURATOR_SECRET")
    assert User.objects.get(username="ousmane").check_password(PASSWORD)


def test_prompts_twice_for_the_password_on_a_terminal(db, monkeypatch):
    answers = iter([PASSWORD, PASSWORD])
    monkeypatch.setattr("sys.stdin.isatty", lambda: True, raising=False)
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    create_curator("awa")
    assert User.objects.get(username="awa").check_password(PASSWORD)


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["aminata", "--password-from-env"], {}, "CURATOR_PASSWORD is empty or unset"),
        (["aminata", "--password-from-env"], {"CURATOR_PASSWORD": "1234"}, "Password refused"),
        (["aminata", "--email", "not-an-address", "--password-from-env"], {}, "not a valid"),
        (["aminata"], {}, "No terminal"),
    ],
)
def test_refuses_bad_input_with_a_clear_error(db, monkeypatch, args, env, message):
    monkeypatch.delenv("CURATOR_PASSWORD", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr("sys.stdin", io.StringIO())
    with pytest.raises(CommandError, match=message):
        create_curator(*args)
    assert not User.objects.filter(username="aminata").exists()


def test_refuses_an_existing_username(db, monkeypatch):
    User.objects.create_user("aminata")
    monkeypatch.setenv("CURATOR_PASSWORD", PASSWORD)
    with pytest.raises(CommandError, match="already exists"):
        create_curator("aminata", "--password-from-env")
