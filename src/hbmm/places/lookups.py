"""Reference lookups: sites, admin areas and countries, as the rows of one batch check them.

Every form and file row names places by code (a site code, a P-code, an ISO3 country code) or
by name. A `Lookups` object answers those questions for one batch: an import batch, one web
form, one request. Each table is read once, on its first use, and kept for the life of the
object only; the caller makes a new one for the next batch. Nothing is cached between batches,
so nothing is stale for long and no test has anything to clear:

    lookups = Lookups()
    for row in batch:
        site = lookups.site(row["site"])           # by code, case ignored
        area = lookups.area(row["pcode"])          # by P-code, case ignored
        iso3 = lookups.country(row["nationality"]) # ISO3 code or French/English name

The write-time checks of domain services read the site kinds fresh (`kinds_of`): a batch's
lookups may be a few seconds old when its rows are written.
"""

import datetime as dt
import difflib
from collections.abc import Iterable
from functools import cached_property

from django.utils import timezone

from hbmm.places.countries import country_code
from hbmm.places.models import AdminArea, Site
from hbmm.text import normalise_name


def kinds_of(site_ids: Iterable[int]) -> dict[int, set[str]]:
    """site id -> the codes of its kinds, read now (one query)."""
    kinds: dict[int, set[str]] = {}
    through = Site.kinds.through.objects.filter(site_id__in=set(site_ids))
    for site_id, code in through.values_list("site_id", "sitekind__code"):
        kinds.setdefault(site_id, set()).add(code)
    return kinds


def is_active_on(site: Site, day: dt.date | None) -> bool:
    """Whether `site` was active on `day` (always, when no day is given)."""
    if day is None:
        return True
    return not (
        (site.active_from and day < site.active_from) or (site.active_to and day > site.active_to)
    )


class Lookups:
    """Sites, admin areas and countries for one batch; see the module's docstring."""

    @cached_property
    def sites(self) -> dict[str, Site]:
        """Upper-case site code -> Site, with its area and kinds loaded."""
        return {
            s.code.upper(): s for s in Site.objects.select_related("area").prefetch_related("kinds")
        }

    @cached_property
    def _kinds(self) -> dict[str, set[str]]:
        return {code: {k.code for k in s.kinds.all()} for code, s in self.sites.items()}

    @cached_property
    def _site_names(self) -> dict[str, str]:
        names: dict[str, str] = {}
        for code, site in self.sites.items():
            for name in (site.name_fr, site.name_en):
                names.setdefault(normalise_name(name), code)
        return names

    @cached_property
    def areas(self) -> dict[str, AdminArea]:
        """Upper-case P-code -> AdminArea (countries are areas too: their P-code is the ISO3)."""
        return {a.pcode.upper(): a for a in AdminArea.objects.all()}

    @cached_property
    def today(self) -> dt.date:
        """Today's date (UTC), read once for the batch: the date no row's date may be after
        (`intake.cleaning.clean_date(not_future=True, today=...)`)."""
        return timezone.now().date()

    def site(self, code, *, by_name: bool = False) -> Site | None:
        """The site of this code (case ignored) or, `by_name`, of this French or English name
        (case, accents and punctuation ignored); None when there is none."""
        key = str(code).strip().upper()
        site = self.sites.get(key)
        if site is None and by_name:
            site = self.sites.get(self._site_names.get(normalise_name(str(code)), ""))
        return site

    def site_suggestions(self, text, *, limit: int = 3) -> list[Site]:
        """Known sites whose code or French or English name is close to `text` (case, accents
        and punctuation ignored): "bamako" -> Bamako, FMP-BAMAKO. For an error message."""
        return [self.sites[code] for code in self._suggest(text, self._site_keys, limit)]

    @cached_property
    def _site_keys(self) -> dict[str, str]:
        """Normalised code and names -> upper-case site code."""
        keys: dict[str, str] = {}
        for code, site in self.sites.items():
            for key in (code, site.name_fr, site.name_en):
                if key:
                    keys.setdefault(normalise_name(key), code)
        return keys

    def area_suggestions(self, text, *, limit: int = 3) -> list[AdminArea]:
        """Known admin areas whose P-code or name is close to `text` (as `site_suggestions`)."""
        return [self.areas[pcode] for pcode in self._suggest(text, self._area_keys, limit)]

    def _suggest(self, text, keys: dict[str, str], limit: int) -> list[str]:
        """`_close`, once per value in a batch (a file may repeat one bad code many times)."""
        cache = self.__dict__.setdefault("_suggested", {})
        key = (id(keys), normalise_name(str(text)), limit)
        if key not in cache:
            cache[key] = _close(text, keys, limit)
        return cache[key]

    @cached_property
    def _area_keys(self) -> dict[str, str]:
        keys: dict[str, str] = {}
        for pcode, area in self.areas.items():
            for key in (pcode, area.name_fr, area.name_en):
                if key:
                    keys.setdefault(normalise_name(key), pcode)
        return keys

    def site_kinds(self, site: Site) -> set[str]:
        """The codes of the site's kinds, as loaded with the batch."""
        return self._kinds.get(site.code.upper(), set())

    def area(self, pcode) -> AdminArea | None:
        """The admin area of this P-code (case ignored); None when there is none."""
        return self.areas.get(str(pcode).strip().upper())

    def country(self, value) -> str | None:
        """The ISO3 code of a country given by code or French/English name (the ISO 3166 list
        of `places.countries`); None when it is not a country."""
        return country_code(str(value))

    def country_area(self, value) -> AdminArea | None:
        """The admin area of a country HBMM has areas for, given by code or name."""
        iso3 = self.country(value)
        area = self.areas.get(iso3) if iso3 else None
        return area if area is not None and area.level == AdminArea.Level.COUNTRY else None


def _close(text, keys: dict[str, str], limit: int) -> list[str]:
    """The values of `keys` whose key contains the normalised `text`, or is close to it, best
    first, each once."""
    wanted = normalise_name(str(text))
    if len(wanted) < 3:
        return []
    found: list[str] = []
    contained = sorted((k for k in keys if wanted in k or k in wanted), key=len)
    close = difflib.get_close_matches(wanted, list(keys), n=limit, cutoff=0.75)
    for key in [*close, *contained]:
        if keys[key] not in found:
            found.append(keys[key])
    return found[:limit]
