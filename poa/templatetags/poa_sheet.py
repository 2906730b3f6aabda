"""Filters that print the sheet's figures, dates and free text; the formatting lives in
poa.rules.figures and poa.rules.dates so the HTML, the PDF and any export print the same thing."""

from django import template

from poa.rules import dates, figures

register = template.Library()


@register.filter
def figure(value):
    """1,234 or 12.5; empty when not captured."""
    return figures.format_figure(value)


@register.filter
def percent(value):
    """51%; empty when there is no percentage (a zero target)."""
    return figures.format_percent(value)


@register.filter
def sheet_date(value):
    """30-jun.-23"""
    return dates.sheet_date(value)


@register.filter
def without_final_period(value):
    """Free text (a reason) ended by our own sentence's period: "Sin personal." → "Sin
    personal", so "…por prórroga: {{ reason|without_final_period }}." prints one period."""
    return str(value or "").rstrip().rstrip(".").rstrip()
