from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from poa.models import UnidadEjecutora


@login_required
def home(request):
    unidades = UnidadEjecutora.objects.select_related("ramo__ejercicio", "programa")
    return render(request, "dashboards/home.html", {"unidades": unidades})
