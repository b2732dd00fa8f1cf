"""A token is given on the command line (`tokens revoke TOKEN`): one that began with "-" would be
read as an option (a revoke then failed with a usage error, 1 time in 64), so none is issued."""

from __future__ import annotations

from collections.abc import Iterator

from enrollment_ledger.adapters.http.auth import new_token


def draws(*tokens: str) -> Iterator[str]:
    yield from tokens


def test_a_token_drawn_with_a_leading_dash_is_drawn_again() -> None:
    drawn = draws("-Ab3", "--x9", "Qz-7")
    assert new_token(lambda: next(drawn)) == "Qz-7"


def test_a_token_without_a_leading_dash_is_kept_as_drawn() -> None:
    drawn = draws("a-b_c", "never")
    assert new_token(lambda: next(drawn)) == "a-b_c"


def test_an_issued_token_is_a_url_safe_secret_of_43_characters() -> None:
    token = new_token()
    assert len(token) == 43 and not token.startswith("-")
    assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
