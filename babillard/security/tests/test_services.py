from typing import Any

import pytest
from django.core.exceptions import ValidationError

from babillard.accounts.models import User
from babillard.core.testing import PASSWORD, make_account
from babillard.security import queries, services
from babillard.security.models import RecoveryCode, TwoFactor
from babillard.security.tests.helpers import code_at, turn_on

pytestmark = pytest.mark.django_db


@pytest.fixture
def user() -> User:
    return make_account("alice").user  # type: ignore[return-value]


def _code_of(error: pytest.ExceptionInfo[ValidationError]) -> str | None:
    return error.value.error_list[0].code


def test_enable_asks_for_a_first_code_and_gives_ten_recovery_codes(user: User) -> None:
    pending = services.start_setup(user)
    assert len(pending.secret) == 32 and not queries.is_enabled(user)
    assert queries.provisioning_uri(pending).startswith("otpauth://totp/Babillard:alice%40")

    with pytest.raises(ValidationError) as wrong:
        services.confirm_setup(user, "000000" if code_at(pending.secret) != "000000" else "111111")
    assert _code_of(wrong) == "wrong_code" and not queries.is_enabled(user)

    codes = services.confirm_setup(user, code_at(pending.secret))
    assert queries.is_enabled(user)
    assert len(codes) == len(set(codes)) == 10
    assert all(len(code) == 14 and code.count("-") == 2 for code in codes)
    stored = set(RecoveryCode.objects.values_list("digest", flat=True))
    assert len(stored) == 10 and not stored & set(codes)

    with pytest.raises(ValidationError) as again:
        services.start_setup(user)
    assert _code_of(again) == "enabled"


def test_a_new_setup_replaces_an_unfinished_one(user: User) -> None:
    first = services.start_setup(user).secret
    second = services.start_setup(user).secret
    assert first != second and TwoFactor.objects.filter(user=user).count() == 1
    with pytest.raises(ValidationError):
        services.confirm_setup(user, code_at(first))
    services.confirm_setup(user, code_at(second))
    assert queries.is_enabled(user)


def test_verify_accepts_a_current_code_once(user: User) -> None:
    secret, _codes = turn_on(user)
    current = code_at(secret)
    assert services.verify(user, f"{current[:3]} {current[3:]}") == "code"
    with pytest.raises(ValidationError) as replayed:
        services.verify(user, current)
    assert _code_of(replayed) == "replayed"


def test_a_code_older_than_the_last_one_used_is_refused(user: User) -> None:
    secret, _codes = turn_on(user)
    assert services.verify(user, code_at(secret, +1)) == "code"
    with pytest.raises(ValidationError) as older:
        services.verify(user, code_at(secret))
    assert _code_of(older) == "replayed"


def test_codes_beyond_one_step_of_drift_are_refused(user: User) -> None:
    secret, _codes = turn_on(user)
    for offset in (-3, +3):
        far = code_at(secret, offset)
        if far not in {code_at(secret, near) for near in (-1, 0, 1)}:
            with pytest.raises(ValidationError) as wrong:
                services.verify(user, far)
            assert _code_of(wrong) == "wrong_code"


def test_a_recovery_code_works_once(user: User) -> None:
    _secret, codes = turn_on(user)
    assert services.verify(user, codes[0].upper()) == "recovery_code"
    two_factor = queries.two_factor_of(user)
    assert two_factor is not None and queries.recovery_codes_left(two_factor) == 9
    with pytest.raises(ValidationError) as spent:
        services.verify(user, codes[0])
    assert _code_of(spent) == "wrong_recovery_code"
    with pytest.raises(ValidationError):
        services.verify(user, "abcd-efgh-jkmn")
    assert services.verify(user, codes[1].replace("-", " ")) == "recovery_code"


def test_verify_without_two_factor_is_refused(user: User) -> None:
    with pytest.raises(ValidationError) as off:
        services.verify(user, "123456")
    assert _code_of(off) == "not_enabled"


def test_regenerating_voids_the_old_codes_and_needs_a_proof(user: User) -> None:
    secret, old = turn_on(user)
    with pytest.raises(ValidationError) as wrong:
        services.regenerate_recovery_codes(user, "not my password")
    assert _code_of(wrong) == "wrong_proof"
    with pytest.raises(ValidationError):
        services.regenerate_recovery_codes(user, old[0])  # a recovery code is no proof
    new = services.regenerate_recovery_codes(user, PASSWORD)
    assert set(new).isdisjoint(old)
    with pytest.raises(ValidationError):
        services.verify(user, old[1])
    newer = services.regenerate_recovery_codes(user, code_at(secret))
    assert services.verify(user, newer[0]) == "recovery_code"
    with pytest.raises(ValidationError):
        services.verify(user, new[0])


def test_disable_needs_the_password_or_a_current_code(user: User) -> None:
    secret, _codes = turn_on(user)
    with pytest.raises(ValidationError):
        services.disable(user, "")
    assert queries.is_enabled(user)
    services.disable(user, code_at(secret))
    assert not queries.is_enabled(user)
    assert not RecoveryCode.objects.exists() and not TwoFactor.objects.exists()

    turn_on(user)
    services.disable(user, PASSWORD)
    assert not queries.is_enabled(user)


def test_staff_cannot_disable_when_the_instance_requires_it(settings: Any) -> None:
    moderator: User = make_account("modo", moderator=True).user  # type: ignore[assignment]
    turn_on(moderator)
    settings.REQUIRE_2FA_FOR_STAFF = True
    assert queries.is_required(moderator) and not queries.is_missing(moderator)
    with pytest.raises(ValidationError) as refused:
        services.disable(moderator, PASSWORD)
    assert _code_of(refused) == "required" and queries.is_enabled(moderator)


def test_who_the_staff_requirement_concerns(settings: Any, user: User) -> None:
    moderator: User = make_account("modo", moderator=True).user  # type: ignore[assignment]
    admin: User = make_account("root", superuser=True).user  # type: ignore[assignment]
    assert not queries.is_missing(moderator)
    settings.REQUIRE_2FA_FOR_STAFF = True
    assert queries.is_missing(moderator) and queries.is_missing(admin)
    assert not queries.is_missing(user)
