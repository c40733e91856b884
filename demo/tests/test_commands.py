"""The demo app's commands, as someone at the shell meets them: `casework seed` and `casework demo_sign_ins` (which
`casework serve` calls by name when the demo authority is already loaded)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyotp
import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP as UserTOTP
from django.core.management import CommandError, call_command

from accounts.models import Membership, User
from audit.models import AuditEvent
from core.site import demo_database_mark, is_demo_database
from demo.users import DEMO_PASSWORD, DEMO_USERS, NotADemoDatabase, ensure_demo_users
from people.models import Person
from people.services import person_create


def test_seed_refuses_a_database_that_already_has_people(db: Any) -> None:
    person_create(actor=None, given_name="Already", family_name="Here")
    with pytest.raises(CommandError, match=r"already holds 1 people; seed a fresh database \(set CASEWORK_DATA_DIR"):
        call_command("seed", "--size", "demo")
    assert Person.objects.count() == 1


def test_seed_if_empty_prints_the_sign_ins_of_a_loaded_authority_and_adds_nobody(db: Any, capsys: Any) -> None:
    # `casework serve` calls this on every start: a second start must not seed again, and must say how to sign in.
    demo_database_mark(size="demo", seed=1)
    person_create(actor=None, given_name="Already", family_name="Here")
    call_command("seed", "--size", "demo", "--if-empty")
    out = capsys.readouterr().out
    assert Person.objects.count() == 1
    assert DEMO_PASSWORD in out and "TOTP secret" in out


def test_seed_command_loads_a_small_authority(db: Any, tmp_path: Path, capsys: Any) -> None:
    call_command("seed", "--size", "demo", "--seed", "3", "--people", "150", "--truth-file", str(tmp_path / "t.jsonl"))
    out = capsys.readouterr().out
    assert "Seeded the demo authority (seed 3)" in out and "people:" in out and "case histories:" in out
    assert (tmp_path / "t.jsonl").exists() and (tmp_path / "demo-seed3-queries.jsonl").exists()
    assert 120 <= Person.objects.count() <= 190
    stages = list(AuditEvent.objects.filter(action="import", object_type="seed").values_list("changes", flat=True))
    assert [s["stage"] for s in stages] == ["people", "case histories"]
    assert stages[0]["rows"]["people"] == Person.objects.count()


def test_demo_sign_ins_makes_the_demo_users_and_prints_a_working_sign_in_for_each(db: Any, capsys: Any) -> None:
    demo_database_mark(size="demo", seed=1)
    call_command("demo_sign_ins")
    out = capsys.readouterr().out
    assert f"password for all: {DEMO_PASSWORD}" in out
    for email, *_ in DEMO_USERS:
        line = next(line for line in out.splitlines() if email in line)
        secret = line.split("TOTP secret ")[1].strip()
        user = User.objects.get(email=email)
        assert user.check_password(DEMO_PASSWORD)
        authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
        assert UserTOTP(authenticator).validate_code(pyotp.TOTP(secret).now())  # the code an app shows is accepted
    call_command("demo_sign_ins")  # again, on a database that has them: the same users, the same secrets
    assert User.objects.filter(email__in=[e for e, *_ in DEMO_USERS]).count() == len(DEMO_USERS)
    assert capsys.readouterr().out == out


# --- demo users never on real records ---------------------------------------------------------------------------------


def test_seed_marks_its_database_as_a_demo(db: Any, tmp_path: Path) -> None:
    assert not is_demo_database()
    call_command("seed", "--size", "demo", "--people", "60", "--truth-file", str(tmp_path / "t.jsonl"))
    assert is_demo_database()


def test_on_a_database_of_real_people_no_demo_user_is_made_and_nobody_is_given_a_role(db: Any, capsys: Any) -> None:
    """As `casework serve --prepare-only` meets a database of imported people: the seed is asked only if it is
    empty; it is not, and `casework seed` did not make it, so nobody is created and nobody's roles change."""
    person_create(actor=None, given_name="Imported", family_name="Person")
    call_command("seed", "--size", "demo", "--if-empty")
    out = capsys.readouterr().out
    assert "not made by `casework seed`: no demo users are created" in out
    assert "TOTP secret" not in out and DEMO_PASSWORD not in out
    assert not User.objects.exists()
    assert Membership.objects.count() == 0
    with pytest.raises(CommandError, match="not made by `casework seed`"):
        call_command("demo_sign_ins")
    with pytest.raises(NotADemoDatabase):
        ensure_demo_users()
    assert not User.objects.exists()
