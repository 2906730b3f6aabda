"""The Auditoría page: every event of a year for planeación and the contraloría, filtered,
paginated and exported as CSV or XLSX."""

from django.http import Http404
from django.shortcuts import redirect, render

from poa.documents.exports import export_response
from poa.selectors.audit import audit_default_year, audit_years, year_events
from poa.web.decorators import auditor_required
from poa.web.filters import AuditFilter
from poa.web.tables import AuditTable, configure


@auditor_required
def audit_latest(request):
    return redirect("poa:audit", year=audit_default_year())


@auditor_required
def audit_page(request, year):
    years = audit_years()
    if year not in years:
        raise Http404("No hay eventos de ese ejercicio.")
    audit_filter = AuditFilter(request.GET, queryset=year_events(year))
    table = configure(request, AuditTable(audit_filter.qs))
    if response := export_response(request, table, f"auditoria_{year}"):
        return response
    context = {"year": year, "years": years, "filter": audit_filter, "table": table}
    return render(request, "audit/audit.html", context)
