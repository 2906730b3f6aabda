"""The one way to make a transition of any workflow of poa.rules.states (a report, a
programming, a modification): `transition_run` locks the subject, checks who may act, from
which state and what the transition asks, records the event, moves the subject, runs what the
transition changes beyond the state, and queues the email and the jobs for when it commits.

Each service module describes its machine once as a Flow, naming its functions by reference;
its services (report_send, programming_approve, …) and the one transition view call
`transition_run` with it."""

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from poa.rules.states import Machine, WorkflowError
from poa.selectors import access
from poa.selectors.access import signer_name
from poa.services.audit import transition_record
from poa.services.notifications import email_enqueue, transition_email

logger = logging.getLogger("poa.workflow")


@dataclass(frozen=True)
class Flow:
    """How a machine's transitions are made, by reference: `lock(subject)` returns the
    subject's row locked inside the transaction; `event(subject, **fields)` its unsaved event;
    by action, `checks` refuse with WorkflowError before anything is written, `effects(subject,
    event, user)` change what the transition changes beyond the state, inside the same
    transaction, and `jobs(subject_pk)` are queued once it commits. `document(subject, event,
    user, credentials)`, when the machine signs a document, runs after the effects of every
    transition with the signer's credentials (or None). `keep` names the fields copied back
    onto the caller's instance."""

    machine: Machine
    lock: Callable[[Any], Any]
    event: Callable[..., Any]
    checks: Mapping[str, Callable] = field(default_factory=dict)
    effects: Mapping[str, Callable] = field(default_factory=dict)
    jobs: Mapping[str, Callable] = field(default_factory=dict)
    document: Callable | None = None
    keep: tuple[str, ...] = ("pk", "state")


def transition_run(flow, *, subject, user, action, comment="", credentials=None):
    """Makes the transition `action` of the flow's machine on `subject` as `user`, all or
    nothing, and returns its saved event. Refused with PermissionDenied when the user holds
    none of its roles, and with WorkflowError (its Spanish explanation) from another state,
    without the comment it requires, or when a check or the signature refuses.
    `credentials` (the signer's e.firma, for the flow's document) live only in this call."""
    transition = flow.machine.transition(action)
    with transaction.atomic():
        locked = flow.lock(subject)
        event = transition_make(
            machine=flow.machine,
            subject=locked,
            user=user,
            action=action,
            comment=comment,
            check=flow.checks.get(action),
            event_for=partial(flow.event, locked),
        )
        transition_record(flow.machine, locked, user, event, transition)
        effect = flow.effects.get(action)
        if effect:
            effect(locked, event, user)
        if flow.document:
            flow.document(locked, event, user, credentials)
        if transition.notify:
            # A job of the queue: a slow mail server never slows a signature.
            email_enqueue(transition_email, flow.machine.name, event.pk)
        job = flow.jobs.get(action)
        if job:
            transaction.on_commit(partial(job, locked.pk))
    for name in flow.keep:
        setattr(subject, name, getattr(locked, name))
    return event


def transition_make(*, machine, subject, user, action, comment="", check=None, event_for):
    """Checks the role, then the state, then the comment and `check` (in that order, so that
    a stranger learns nothing about the subject), then records the event and moves the
    subject, which the caller has locked inside its transaction. `event_for(**fields)` builds
    the subject's unsaved event. Returns the saved event."""
    transition = machine.transition(action)
    comment = (comment or "").strip()
    if not access.holds_role(user, subject, transition):
        raise PermissionDenied(machine.refusal_for_role(transition))
    role = access.acting_role(user, subject, transition)
    if role is None:
        raise WorkflowError(machine.refusal_for_state(transition, subject.state))
    if transition.comment_required and not comment:
        raise WorkflowError(transition.comment_required)
    if check:
        check(subject)
    event = event_for(
        action=transition.action,
        from_state=subject.state,
        to_state=transition.target,
        user=user,
        signer_name=signer_name(user),
        signer_position=access.signer_position(role, subject.unidad_ejecutora),
        comment=comment,
    )
    event.save()
    if transition.changes_state:
        subject.state = transition.target
        subject._history_user = user
        subject._change_reason = transition.event
        subject.save()
    # Logged once it commits: a dry run or a refused step rolls the transition back.
    transaction.on_commit(partial(_log, transition, str(subject), subject, user, event))
    return event


def _log(transition, described, subject, user, event):
    logger.info(
        "%s: %s",
        transition.event,
        described,
        extra={
            "user": user.username,
            "action": transition.action,
            "subject": subject._meta.model_name,
            "subject_id": subject.pk,
            "from_state": event.from_state,
            "to_state": event.to_state,
        },
    )
