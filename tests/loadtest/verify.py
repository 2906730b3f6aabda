"""What the database must hold after the load, given what the server acknowledged.

Every save of the grid is made on the version the capturista loaded; the server accepts it
only if the report is still at that version and then moves it one on (poa.services.review.
capture_save). Each save sends every meta of the grid and changes at least one, so an accepted
save on version b leaves the report at b + 1 holding exactly what was sent. Hence, per unit,
with v0 its version before the load:

- no two acknowledged saves share a base version (the second would have overwritten the first
  without having seen it: a lost update);
- the acknowledged bases are v0, v0 + 1, … without gaps and the report ends at v0 + their
  number (a version nobody was told about is an update that went in unannounced, a stale one
  for instance; saves whose answer never came are allowed to explain the difference);
- the database holds, meta by meta, what the save on the last version sent (else the last
  acknowledged update was lost);
- every grid a capturista loaded at version w shows exactly what the save on w - 1 sent, or
  the figures before the load at v0 (else updates were mixed up: rows of two saves, or of
  another unit);
- the success message counts the metas that differ from the grid as loaded;
- no old version sent on purpose was accepted, and its mark is nowhere in the figures or in
  their history.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass
class Findings:
    acks: int = 0
    units: int = 0
    lost: list = field(default_factory=list)
    mixed: list = field(default_factory=list)
    stale_accepted: list = field(default_factory=list)


def verify(plan, ledger, after) -> Findings:
    findings = Findings(acks=len(ledger.acks))
    before, now = _reports(plan["before"]), _reports(after)
    acks, seen, doubts = _by_unit(ledger.acks), _by_unit(ledger.seen), Counter()
    for unit, _, _ in ledger.in_doubt:
        doubts[unit] += 1
    # /captura/2030/82/101/4/ → "UE 82-101"
    names = {
        account["unit"]: "UE {}-{}".format(*account["grid"].split("/")[3:5])
        for account in plan["capturistas"]
    }
    findings.units = len(names)
    for unit, name in sorted(names.items()):
        _check_unit(findings, name, before[unit], now[unit], acks[unit], seen[unit], doubts[unit])
    findings.stale_accepted = [
        f"{names[unit]}: {user} envió la versión {base} de nuevo y se aceptó"
        for unit, user, base in ledger.stale_accepted
    ]
    if after["stale_marks"]:
        findings.stale_accepted.append(
            f"{after['stale_marks']} valores guardados vienen de versiones viejas"
        )
    return findings


def _reports(snapshot):
    """{unit: (version, {meta: (Decimal or None, observaciones)})} from a JSON snapshot."""
    return {
        int(unit): (
            report["version"],
            {
                int(meta): (None if value is None else Decimal(value), notes)
                for meta, (value, notes) in report["values"].items()
            },
        )
        for unit, report in snapshot["reports"].items()
    }


def _by_unit(items):
    grouped = defaultdict(list)
    for item in items:
        grouped[item.unit].append(item)
    return grouped


def _check_unit(findings, name, before, now, acks, seen, doubts):
    (v0, initial), (final, stored) = before, now
    by_base = {}
    for base, count in Counter(ack.base for ack in acks).items():
        if count > 1:
            findings.lost.append(f"{name}: {count} guardados aceptados sobre la versión {base}")
    for ack in acks:
        by_base[ack.base] = ack
        if not v0 <= ack.base < final:
            findings.mixed.append(f"{name}: guardado acusado sobre la versión {ack.base}")
        if ack.changed_shown != ack.changed_expected:
            findings.mixed.append(
                f"{name}: {ack.user} cambió {ack.changed_expected} metas y el mensaje dijo "
                f"{ack.changed_shown}"
            )
    unannounced = final - v0 - len(by_base)
    if unannounced < 0:
        findings.lost.append(f"{name}: {len(by_base)} guardados acusados, versión {final}")
    elif unannounced > doubts:
        findings.mixed.append(f"{name}: {unannounced - doubts} versiones sin acuse")
    expected = {v0: initial, **{base + 1: ack.values for base, ack in by_base.items()}}
    if final in expected and stored != expected[final]:
        metas = sorted(meta for meta in stored if stored[meta] != expected[final].get(meta))
        findings.lost.append(f"{name}: la base no tiene lo último acusado (metas {metas})")
    for page in seen:
        if page.version in expected and page.values != expected[page.version]:
            other = [v for v, values in expected.items() if values == page.values]
            shown = f"las de la versión {other[0]}" if other else "otras cifras"
            findings.mixed.append(
                f"{name}: {page.user} vio en la versión {page.version} {shown}, no las "
                "guardadas en ella"
            )
