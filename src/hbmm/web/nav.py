"""Navigation entries registered by each app in its AppConfig.ready().

    register(NavItem(label=_("Mobility"), url_name="mobility:index", permission="mobility.view_flowcount"))

The base layout shows the entries the signed-in user is allowed to use.
"""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise


@dataclass(frozen=True)
class NavItem:
    label: str | Promise  # a gettext_lazy string: translated when the menu is drawn
    url_name: str
    permission: str | None = None  # None: any signed-in user
    order: int = 50


_ITEMS: list[NavItem] = []


def register(item: NavItem) -> None:
    if all(existing.url_name != item.url_name for existing in _ITEMS):
        _ITEMS.append(item)


def items_for(user) -> list[dict]:
    if not user.is_authenticated:
        return []
    entries = []
    for item in sorted(_ITEMS, key=lambda i: i.order):
        if item.permission and not user.has_perm(item.permission):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        entries.append({"label": item.label, "url": url, "url_name": item.url_name})
    return entries
