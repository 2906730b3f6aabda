"""The only code that changes state and figures: transitions (one runner for every
workflow), capture, periods, programming, modificaciones, years, imports, notifications,
batch exports, backup and restore. Imports every floor below it, never the web."""
