"""The places figures, charts and site table of the situation report: places is a base app
(every app imports it), so what is shown of it is declared here, on top of its selectors."""

from hbmm.reports.places import tables  # noqa: F401  (registers the site table)
