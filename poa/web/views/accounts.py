"""Planeación's accounts page: create one account (invited by e-mail), see who works for
each unit of the year, and deactivate every account of a unit after a confirmation."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render

from poa.models import Ejercicio, UnidadEjecutora
from poa.selectors.accounts import unit_accounts, units_with_accounts
from poa.services import accounts
from poa.web.decorators import planeacion_required
from poa.web.forms import AccountForm

SAVED = {
    "created": "Se creó la cuenta «{}» y se le envió por correo el enlace para elegir su "
    "contraseña.",
    "updated": "Se actualizó la cuenta «{}».",
    "unchanged": "La cuenta «{}» ya estaba así; no cambió nada.",
}


@planeacion_required
def accounts_page(request):
    ejercicio = Ejercicio.objects.order_by("-year").first()
    posted = request.method == "POST"
    form = AccountForm(request.POST if posted else None, ejercicio=ejercicio)
    if posted and form.is_valid():
        try:
            account, outcome = accounts.account_save(spec=form.spec(), user=request.user)
        except accounts.AccountError as error:
            _show_errors(form, error.errors)
        else:
            messages.success(request, SAVED[outcome].format(account.username))
            return redirect("poa:accounts")
    units = units_with_accounts(ejercicio) if ejercicio else []
    context = {"form": form, "ejercicio": ejercicio, "units": units}
    return render(request, "accounts/accounts.html", context)


def _show_errors(form, errors):
    for key, message in errors.items():
        if key == "nombre" and form.cleaned_data["rol"] == accounts.RESPONSABLE:
            key, message = "persona", "Elija la persona con la que firma el responsable."
        form.add_error(key, message)


@planeacion_required
def unit_deactivate(request, pk):
    ue = get_object_or_404(UnidadEjecutora.objects.select_related("ramo__ejercicio"), pk=pk)
    if request.method == "POST":
        names = accounts.unit_deactivate(ue=ue, user=request.user)
        done = ", ".join(names) if names else "ninguna estaba activa"
        messages.success(request, f"Cuentas desactivadas de la UE {ue.clave}: {done}.")
        return redirect("poa:accounts")
    context = {"ue": ue, "accounts": unit_accounts(ue)}
    return render(request, "accounts/unit_deactivate.html", context)
