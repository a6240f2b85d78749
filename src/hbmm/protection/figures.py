"""Named figures of protection and CCCM: aggregates only, never a record, never a name.

Counts by vulnerability use only the cases that consented to use in statistics, leave GBV out
(never in public outputs), and leave out every category below PUBLIC_MIN_CELL cases (small
cells could identify a person). No figure drills down to the cases: the case list is behind the
record rules, not a public table.
"""

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext_lazy

from hbmm.accounts.scope import Scope
from hbmm.presentation.figures import FACT, Figure, format_date, format_number
from hbmm.protection import selectors
from hbmm.protection.models import Vulnerability

PUBLIC_MIN_CELL = 5
NOT_PUBLIC = {Vulnerability.GBV}


@dataclass(frozen=True)
class ProtectionFigures:
    registered: Figure
    from_stranded: Figure
    referrals: Figure
    accepted: Figure
    completed: Figure
    median_days: Figure
    returns: Figure
    by_vulnerability: list[Figure]
    suppressed: int  # vulnerability categories left out (small cells, restricted)

    @property
    def has_data(self) -> bool:
        return bool(self.registered.value)


def protection_cases(*, scope: Scope, as_of: dt.date) -> ProtectionFigures:
    totals = selectors.protection_totals(scope=scope, end=as_of)
    registered = totals.registered
    made = totals.referrals
    figures = []
    suppressed = 0
    labels = dict(Vulnerability.choices)
    for code, n in totals.by_vulnerability.items():
        if code in NOT_PUBLIC or n < PUBLIC_MIN_CELL:
            suppressed += 1
            continue
        figures.append(
            Figure(
                key=f"protection.vulnerability.{code}",
                label=labels.get(code, code),
                value=n,
                as_of=as_of,
                definition=_(
                    "Cases registered by %(date)s with this vulnerability, among those who "
                    "consented to use in statistics."
                )
                % {"date": format_date(as_of)},
            )
        )
    return ProtectionFigures(
        registered=Figure(
            key="protection.cases",
            label=_("Protection cases registered"),
            value=registered,
            as_of=as_of,
            definition=_(
                "Vulnerable migrants identified and registered as individual protection cases "
                "on or before %(date)s (%(open)s open or active, %(closed)s closed)."
            )
            % {"date": format_date(as_of), "open": totals.open, "closed": totals.closed},
            parts={"open": totals.open, "closed": totals.closed},
        ),
        from_stranded=Figure(
            key="protection.cases_from_stranded",
            label=_("Cases registered from stranded-migrant groups"),
            value=totals.stranded_linked,
            as_of=as_of,
            denominator=registered,
            unit=ngettext_lazy("case", "cases"),
            definition=_(
                "Registered cases linked to a stranded-migrant group count (followed "
                "individually after the group was counted)."
            ),
        ),
        referrals=Figure(
            key="protection.referrals",
            label=_("Referrals to services"),
            value=made,
            as_of=as_of,
            definition=_("Referrals of these cases to a service provider made by that date."),
        ),
        accepted=Figure(
            key="protection.referrals_accepted",
            label=_("Referrals accepted"),
            value=totals.referrals_accepted,
            as_of=as_of,
            denominator=made,
            unit=ngettext_lazy("referral", "referrals"),
            definition=_("Referrals the receiving organisation had accepted by that date."),
        ),
        completed=Figure(
            key="protection.referrals_done",
            label=_("Referrals completed"),
            value=totals.referrals_done,
            as_of=as_of,
            denominator=made,
            unit=ngettext_lazy("referral", "referrals"),
            definition=_("Referrals whose service had been delivered by that date."),
        ),
        median_days=Figure(
            key="protection.days_to_acceptance",
            label=_("Median time to acceptance of a referral"),
            value=totals.median_days_to_acceptance,
            as_of=as_of,
            decimals=1,
            unit=ngettext_lazy("day", "days"),
            definition=_("Median days from a referral to its acceptance, over those accepted."),
        ),
        returns=Figure(
            key="protection.returns",
            label=_("Assisted voluntary returns and corridors departed"),
            value=totals.returns_departed,
            as_of=as_of,
            definition=_(
                "Cases who left on an assisted voluntary return or a humanitarian corridor by "
                "that date."
            ),
        ),
        by_vulnerability=figures,
        suppressed=suppressed,
    )


def temporary_sites_isolation(*, scope: Scope, as_of: dt.date) -> Figure:
    """Temporary sites with isolation places, among those monitored in the last 31 days."""
    totals = selectors.temporary_sites_totals(scope=scope, on=as_of)
    return Figure(
        key="protection.sites_isolation",
        disclosure=FACT,
        label=_("Temporary sites with isolation capacity"),
        value=totals.with_isolation if totals.monitored else None,
        as_of=as_of,
        denominator=totals.monitored,
        unit=ngettext_lazy("site monitored", "sites monitored"),
        definition=_(
            "Temporary (IDP) sites whose latest visit in the 31 days to %(date)s counted isolation "
            "places (%(capacity)s places in all, %(population)s people on those sites; "
            "%(sites)s temporary sites in all)."
        )
        % {
            "date": format_date(as_of),
            "capacity": format_number(totals.isolation_capacity),
            "population": format_number(totals.population),
            "sites": format_number(totals.sites),
        },
        parts={"capacity": totals.isolation_capacity, "sites": totals.sites},
    )
