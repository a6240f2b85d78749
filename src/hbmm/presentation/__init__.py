"""The presentation kernel every app declares its read side with: `Figure` (a number with its
definition, denominator, as-of date and drill-down), `Table` (a list page, drill-down and export
with each column declared once: label, type, HXL tag), `Chart` (one Vega-Lite spec for page and
paper) and the one table page. It imports no domain app and writes nothing but the audit
trail of exports; domain apps and `reports` import it (docs/architecture.md)."""
