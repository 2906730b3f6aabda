"""Planeación creates a new year from the last one, after seeing what will be copied."""

from django.contrib import messages
from django.shortcuts import redirect, render

from poa.services import years
from poa.web.decorators import planeacion_required
from poa.web.forms import NewYearForm


@planeacion_required
def year_new(request):
    """A form, then a confirmation with the counts of what will be copied, then the year."""
    form = NewYearForm(request.POST if request.method == "POST" else None)
    if request.method != "POST" or "edit" in request.POST or not form.is_valid():
        return render(request, "planning/new_year.html", {"form": form})
    data = form.cleaned_data
    arguments = {
        "source": data["source"],
        "year": data["year"],
        "pmd": data["pmd"],
        "copy_metas": data["copy_metas"],
    }
    try:
        if "confirm" in request.POST:
            created = years.year_create_from(user=request.user, **arguments)
            messages.success(request, " ".join(created.summary))
            return redirect("poa:home")
        plan = years.year_plan(**arguments)
    except years.YearCopyError as error:
        form.add_error(error.field if error.field in form.fields else None, str(error))
        return render(request, "planning/new_year.html", {"form": form})
    return render(request, "planning/new_year_confirm.html", {"form": form, "plan": plan})
