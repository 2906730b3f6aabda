"""One import: the book's rows, what was loaded so far by natural key, the problems found and
the counts, with the few moves every sheet makes (report an error, skip repeated keys,
create or update a row after the model's own validation, resolve a reference)."""

import json
from dataclasses import asdict, dataclass

from django.core.exceptions import ValidationError

from poa.documents.yearbook import LAYOUTS
from poa.services.imports.book import Problem
from poa.services.imports.cells import text

SAMPLE_ROWS = 5
COUNTED = ("created", "updated", "unchanged")


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def total(self):
        return self.created + self.updated + self.unchanged


@dataclass
class ImportResult:
    """What an import did, or would do (dry run), or why it did nothing (errors)."""

    year: int | None
    counts: dict  # sheet name → Counts, in the workbook's order
    errors: list  # Problem
    warnings: list  # Problem
    samples: dict  # sheet name → {"headings": [...], "rows": [[text, ...], ...]}
    saved: bool = False
    approved: int = 0  # programmings approved on loading (or that would be, in a dry run)

    @property
    def changes(self) -> int:
        """Rows created or updated, and programmings approved (each writes its versions)."""
        return sum(c.created + c.updated for c in self.counts.values()) + self.approved

    def headline(self) -> str:
        """Ejercicio 2025 importado: 11 nuevos, 0 actualizados y 1 sin cambios."""
        total = Counts(*(sum(getattr(c, f) for c in self.counts.values()) for f in COUNTED))
        approved = f" Programaciones aprobadas: {self.approved:,}." if self.approved else ""
        return (
            f"Ejercicio {self.year} importado: {_many(total.created, 'registro nuevo')}, "
            f"{total.updated:,} actualizados y {total.unchanged:,} sin cambios.{approved}"
        )

    def summary(self) -> list[str]:
        """One Spanish line per sheet with rows, and one for the approval."""
        lines = [
            f"{name}: {_many(c.created, 'nuevo')}, {_many(c.updated, 'actualizado')}, "
            f"{c.unchanged:,} sin cambios."
            for name, c in self.counts.items()
            if c.total
        ]
        if self.approved:
            lines.append(f"Programaciones aprobadas al cargar: {self.approved:,}.")
        return lines

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, data):
        data = json.loads(data)
        data["counts"] = {name: Counts(**c) for name, c in data["counts"].items()}
        data["errors"] = [Problem(**p) for p in data["errors"]]
        data["warnings"] = [Problem(**p) for p in data["warnings"]]
        return cls(**data)


def _place(problem):
    """Where a problem is, in the workbook's order: what concerns the whole file first, then
    by sheet, row and column (a whole sheet or row before its cells)."""
    layout = next((layout for layout in LAYOUTS if layout.name == problem.sheet), None)
    if layout is None:
        return (problem.sheet is not None, 0, 0, 0)
    headings = [column.heading for column in layout.columns]
    column = headings.index(problem.column) + 1 if problem.column in headings else 0
    return (True, LAYOUTS.index(layout) + 1, problem.row or 0, column)


def _many(count, words):
    """1 nuevo, 2 nuevos; 1 registro nuevo, 2 registros nuevos."""
    if count == 1:
        return f"1 {words}"
    return f"{count:,} " + " ".join(f"{word}s" for word in words.split())


class Run:
    """Keys of rows that failed are remembered so that the rows depending on them are
    skipped without a second error."""

    def __init__(self, book, user, *, approve=False, progress=None):
        self.book, self.user, self.approve = book, user, approve
        self.progress = progress or (lambda sheet, done, total: None)
        self.errors = list(book.problems)
        self.warnings = []
        self.counts = {layout.name: Counts() for layout in LAYOUTS}
        self.ejercicio = None
        self.approved = 0
        self.loaded = {layout.name: {} for layout in LAYOUTS}  # natural key → object
        self.failed = {layout.name: set() for layout in LAYOUTS}  # natural keys
        self.unit_rows = {}  # unit pk → its row in «Unidades»
        self.metas_failed = set()  # (ramo, unit) whose metas were not loaded

    def result(self, *, saved) -> ImportResult:
        return ImportResult(
            year=self.ejercicio.year if self.ejercicio else None,
            counts={name: c for name, c in self.counts.items() if name in self.book.sheets},
            errors=sorted(self.errors, key=_place),
            warnings=sorted(self.warnings, key=_place),
            samples=self._samples(),
            saved=saved,
            approved=self.approved,
        )

    def _samples(self):
        samples = {}
        for layout in LAYOUTS:
            rows = self.book.sheets.get(layout.name)
            if rows is not None:
                samples[layout.name] = {
                    "headings": [column.heading for column in layout.columns],
                    "rows": [
                        [text(row.values.get(column.key)) for column in layout.columns]
                        for row in rows[:SAMPLE_ROWS]
                    ],
                }
        return samples

    def error(self, layout, row, key, message):
        column = layout.column(key).heading if key else None
        self.errors.append(Problem(message, layout.name, row.number if row else None, column))

    def warn(self, layout, row, key, message):
        column = layout.column(key).heading if key else None
        self.warnings.append(Problem(message, layout.name, row.number if row else None, column))

    def rows(self, layout, key_of=None, describe=None, column=None):
        """The sheet's readable rows; with `key_of`, without repeated keys (a repeat is an
        error on `column`, the first by default: "<describe(key)> ya aparece en la fila 3.")."""
        seen = {}
        for row in self.book.sheets.get(layout.name, []):
            key = key_of(row) if key_of else None
            if row.broken:
                self.failed[layout.name].add(key)
                continue
            if key_of and key in seen:
                message = f"{describe(key)} ya aparece en la fila {seen[key]:,}."
                self.error(layout, row, column or layout.columns[0].key, message)
                continue
            seen[key] = row.number
            yield row

    def remember(self, layout, key, obj):
        if obj:
            self.loaded[layout.name][key] = obj
        else:
            self.failed[layout.name].add(key)

    def upsert(self, layout, row, model, lookup, values, columns, existing=None):
        """The object with `lookup`, created or changed to `values` after the model's own
        validation (its Spanish messages go to the columns `columns` maps its fields to);
        None when refused."""
        obj = existing or model.objects.filter(**lookup).order_by("pk").first()
        counts = self.counts[layout.name]
        if obj is not None and all(getattr(obj, k) == v for k, v in values.items()):
            counts.unchanged += 1
            return obj
        created = obj is None
        obj = obj or model(**lookup)
        for key, value in values.items():
            setattr(obj, key, value)
        try:
            obj.full_clean()
        except ValidationError as error:
            for field_name, messages in error.message_dict.items():
                self.error(layout, row, columns.get(field_name), " ".join(messages))
            return None
        obj.save()
        if created:
            counts.created += 1
        else:
            counts.updated += 1
        return obj

    def reference(self, layout, row, column, target, key, lookup, missing):
        """What a row refers to in the sheet `target`: loaded from the book, or found in the
        database by `lookup()`; None when it failed in its own sheet (reported there) or does
        not exist (reported here with the message `missing`)."""
        if key in self.loaded[target.name]:
            return self.loaded[target.name][key]
        if key in self.failed[target.name]:
            return None
        found = lookup()
        if found is None:
            self.error(layout, row, column, missing)
            return None
        self.loaded[target.name][key] = found
        return found
