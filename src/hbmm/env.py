"""Small typed readers for settings taken from the environment."""

import os

from django.core.exceptions import ImproperlyConfigured


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_header(name: str) -> tuple[str, str] | None:
    """An HTTP header and the value it must have, written "X-Forwarded-Proto: https", as
    Django's META key and value: ("HTTP_X_FORWARDED_PROTO", "https"). None when unset."""
    value = os.environ.get(name, "").strip()
    if not value:
        return None
    header, sep, expected = value.partition(":")
    if not sep or not header.strip() or not expected.strip():
        raise ImproperlyConfigured(f'{name} must look like "X-Forwarded-Proto: https"')
    return "HTTP_" + header.strip().upper().replace("-", "_"), expected.strip()
