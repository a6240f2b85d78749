"""Epidemiological series: national, regional and neighbouring countries' COVID-19 counts."""
