"""The one way templates spell a report's addresses: {% report_url "poa:sheet" report %}."""

from django import template

register = template.Library()


@register.simple_tag
def report_url(name, report, *extra):
    return report.url(name, *extra)
