"""The programming sheets of a year's workbook: the metas of each unit, drafted through
programming.programming_import with planning's rules (validate_plan_row); with the approval,
every unit's programming approved through programming.programming_load_approved; and what was
achieved per quarter, loaded through workflow.progress_import with the grid's rules."""

from poa.documents.yearbook import AVANCE, LINEAS, METAS, UNIDADES, UNIDADES_MEDIDA
from poa.models import LineaAccion, Meta, UnidadEjecutora, UnidadMedida
from poa.rules import figures
from poa.rules.capture import CaptureValidationError, read_figure, validate_imported_progress
from poa.rules.states import WorkflowError
from poa.services import programming
from poa.services.capture import progress_import
from poa.services.imports.catalog import unit_of
from poa.services.imports.cells import avance_key, captured, figure_text, meta_key, name, text

# Field of planning's messages → the column they go to.
METAS_COLUMNS = {
    "numero": "numero",
    "descripcion": "descripcion",
    "unidad_medida": "unidad_medida",
    "lineas": "lineas",
    "meta_anual": "meta_anual",
    "programado": "meta_anual",  # the sum of the quarters against the annual target
    **{f"programado_{q}": f"programado_{q}" for q in figures.QUARTERS},
}


def load_metas(run):
    groups = {}  # (ramo, unit) → (unit, [(row, PlanRow or None)])
    describe = "La meta {2} de la unidad {0}-{1}".format
    rows = list(run.rows(METAS, meta_key, lambda key: describe(*key), "numero"))
    run.metas_failed.update(key[:2] for key in run.failed[METAS.name])
    for row in rows:
        unit_key = meta_key(row)[:2]
        ue = None if unit_key in run.failed[UNIDADES.name] else unit_of(run, METAS, row)
        plan_row = _plan_row(run, row, ue)
        if plan_row is None or ue is None:
            run.metas_failed.add(unit_key)
        groups.setdefault(unit_key, (ue, []))[1].append((row, plan_row))
    for done, (unit_key, (ue, items)) in enumerate(groups.items(), start=1):
        run.progress(METAS.name, done, len(groups))
        if unit_key not in run.metas_failed:
            _store_metas(run, ue, items)


def _plan_row(run, row, ue):
    """The row as the programming screen would post it, checked by planning's rules; None
    when it has errors (reported)."""
    errors = {}
    numero = text(row.values["numero"])
    existing = _meta_pks(ue).get(numero) if ue else None
    plan_row = programming.PlanRow(
        key=str(existing) if existing else f"fila-{row.number}",
        numero=numero,
        descripcion=text(row.values["descripcion"]),
        unidad_medida=_unidad_medida(run, row, errors),
        lineas=_lineas(run, row, errors),
        meta_anual=figure_text(row.values["meta_anual"]),
        programado=[figure_text(row.values[f"programado_{q}"]) for q in figures.QUARTERS],
    )
    _, rule_errors = programming.validate_plan_row(
        plan_row, ejercicio_id=run.ejercicio.pk, unidad_ejecutora=ue or UnidadEjecutora()
    )
    errors = rule_errors | errors  # ours say more than "Elija la unidad de medida."
    for field_name, message in errors.items():
        run.error(METAS, row, METAS_COLUMNS.get(field_name), message)
    return None if errors else plan_row


def _meta_pks(ue):
    """The unit's metas: number (as text) → pk, read once per unit."""
    if not hasattr(ue, "_import_metas"):
        ue._import_metas = {str(n): pk for n, pk in ue.metas.values_list("numero", "pk")}
    return ue._import_metas


def _unidad_medida(run, row, errors):
    nombre = name(row.values["unidad_medida"])
    key = nombre.casefold()
    loaded = run.loaded[UNIDADES_MEDIDA.name]
    if not nombre:
        errors["unidad_medida"] = "Escriba la unidad de medida."
    elif key in run.failed[UNIDADES_MEDIDA.name]:
        errors["unidad_medida"] = f"La unidad de medida «{nombre}» tiene errores en su hoja."
    elif key not in loaded:
        loaded[key] = UnidadMedida.objects.filter(nombre__iexact=nombre).first()
        if loaded[key] is None:
            del loaded[key]
            errors["unidad_medida"] = (
                f"La unidad de medida «{nombre}» no existe: agréguela en la hoja "
                f"«{UNIDADES_MEDIDA.name}»."
            )
    return loaded.get(key) if nombre else None


def _lineas(run, row, errors):
    """The líneas de acción of the row's codes (separated by ; or ,). A meta serves at least
    one: a blank cell is an error, never a way to remove an existing meta's líneas."""
    codes = [name(code) for code in text(row.values["lineas"]).replace(",", ";").split(";")]
    codes = list(dict.fromkeys(code for code in codes if code))
    if not codes:
        errors["lineas"] = f"Escriba al menos una línea de acción de la hoja «{LINEAS.name}»."
        return []
    loaded, lineas, unknown = run.loaded[LINEAS.name], [], []
    for clave in codes:
        if clave not in loaded and clave not in run.failed[LINEAS.name]:
            found = LineaAccion.objects.filter(ejercicio=run.ejercicio, clave=clave).first()
            if found:
                loaded[clave] = found
        if clave in loaded:
            lineas.append(loaded[clave])
        else:
            unknown.append(f"«{clave}»")
    if unknown:
        errors["lineas"] = (
            f"No están en la hoja «{LINEAS.name}» las líneas de acción {', '.join(unknown)}."
        )
    return lineas


def _store_metas(run, ue, items):
    rows = [plan_row for _, plan_row in items]
    try:
        result = programming.programming_import(
            programacion=programming.programming_of(ue), user=run.user, rows=rows
        )
    except programming.PlanValidationError as error:
        by_key = {plan_row.key: row for row, plan_row in items}
        for key, fields in error.errors.items():
            for field_name, message in fields.items():
                run.error(METAS, by_key[key], METAS_COLUMNS.get(field_name), message)
        return
    except WorkflowError as error:
        run.error(METAS, items[0][0], None, str(error))
        return
    counts = run.counts[METAS.name]
    created = sum(1 for row in rows if row.meta_id is None)
    counts.created += created
    counts.updated += result.changed - created
    counts.unchanged += len(rows) - result.changed


# Approval --------------------------------------------------------------------------------


def approve_programming(run):
    try:
        events = programming.programming_load_approved(ejercicio=run.ejercicio, user=run.user)
    except programming.ProgrammingLoadError as error:
        units = UnidadEjecutora.objects.select_related("ramo").in_bulk(list(error.errors))
        for pk, message in error.errors.items():
            ue = units[pk]
            run.error(
                UNIDADES,
                run.unit_rows.get(pk),
                None,
                f"La programación de la UE {ue.ramo.clave}-{ue.clave} no se puede aprobar: "
                f"{message}",
            )
        return
    run.approved = len(events)


# What was achieved --------------------------------------------------------------------------


def load_avance(run):
    sheet = run.book.sheets.get(AVANCE.name) or []
    if not sheet:
        return
    if not run.approve and any(captured(row) for row in sheet):
        run.error(
            AVANCE,
            None,
            None,
            "Lo alcanzado solo se importa junto con la aprobación de la programación: marque "
            "«Marcar la programación como aprobada» (--aprobar en la terminal) o quite estas "
            "filas.",
        )
    groups = _avance_groups(run, _metas_of(run.ejercicio))
    if run.errors or not run.approve:
        return
    for done, ((ue, quarter), items) in enumerate(groups.items(), start=1):
        run.progress(AVANCE.name, done, len(groups))
        _store_avance(run, ue, quarter, items)


def _metas_of(ejercicio):
    """Every meta of the year (those just loaded too) by (ramo, unit, number as text)."""
    metas = (
        Meta.objects.filter(unidad_ejecutora__ramo__ejercicio=ejercicio)
        .select_related("unidad_medida", "unidad_ejecutora__ramo")
        .prefetch_related("avances")
    )
    return {
        (m.unidad_ejecutora.ramo.clave, m.unidad_ejecutora.clave, str(m.numero)): m for m in metas
    }


def _avance_groups(run, metas):
    """The valid rows by (unit, quarter); every invalid one reported."""
    describe = "El trimestre {3} de la meta {2} de la unidad {0}-{1}".format
    groups = {}
    for row in run.rows(AVANCE, avance_key, lambda key: describe(*key), "trimestre"):
        key = avance_key(row)
        meta = _avance_meta(run, row, key, metas)
        if key[3] is None:
            run.error(AVANCE, row, "trimestre", "Escriba el trimestre: 1, 2, 3 o 4.")
        item = meta and key[3] and _avance_item(run, row, meta, key[3])
        if item:
            groups.setdefault((meta.unidad_ejecutora, key[3]), []).append(item)
    return groups


def _avance_meta(run, row, key, metas):
    if key[:2] in run.failed[UNIDADES.name] or key[:2] in run.metas_failed:
        return None  # the unit or its metas have errors of their own
    meta = metas.get(key[:3])
    if meta is None and unit_of(run, AVANCE, row) is not None:
        run.error(
            AVANCE,
            row,
            "meta",
            f"La meta «{key[2]}» no existe en la unidad {key[0]}-{key[1]}: agréguela en la "
            f"hoja «{METAS.name}».",
        )
    return meta


def _avance_item(run, row, meta, quarter):
    progress = next((p for p in meta.avances.all() if p.quarter == quarter), None)
    values = {
        "alcanzado": figure_text(row.values["alcanzado"]),
        "observaciones": text(row.values["observaciones"]),
    }
    errors, warnings = validate_imported_progress(
        meta=meta, programado=progress.programado if progress else 0, **values
    )
    for field_name, message in errors.items():
        run.error(AVANCE, row, field_name, message)
    for field_name, message in warnings.items():
        run.warn(AVANCE, row, field_name, message)
    return None if errors else (row, meta, progress, values)


def _store_avance(run, ue, quarter, items):
    rows = {meta.pk: values for _, meta, _, values in items}
    try:
        progress_import(unidad_ejecutora=ue, quarter=quarter, user=run.user, rows=rows)
    except CaptureValidationError as error:
        by_meta = {meta.pk: row for row, meta, _, _ in items}
        for meta_id, fields in error.errors.items():
            for field_name, message in fields.items():
                run.error(AVANCE, by_meta[meta_id], field_name, message)
        return
    except WorkflowError as error:
        run.error(AVANCE, items[0][0], None, str(error))
        return
    counts = run.counts[AVANCE.name]
    for _, meta, progress, values in items:
        before = (progress.alcanzado, progress.observaciones) if progress else (None, "")
        after = (read_figure(meta, values["alcanzado"]), values["observaciones"])
        if before == after:
            counts.unchanged += 1
        elif before == (None, ""):
            counts.created += 1
        else:
            counts.updated += 1
