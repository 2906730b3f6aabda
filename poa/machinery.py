"""Making one transition of any workflow of poa.states, the same way for every subject (a
report, a programming, a modification): the services of poa.workflow and poa.planning lock
their subject and call `transition_make`, which checks and records it."""

import logging

from django.core.exceptions import PermissionDenied

from poa import access

logger = logging.getLogger("poa.workflow")


class WorkflowError(Exception):
    """A transition not allowed from the subject's state, a closed window, a locked report,
    a missing comment: str(error) is the Spanish explanation."""


def signer_name(user) -> str:
    persona = access.persona_of(user)
    if persona:
        return persona.nombre
    return user.get_full_name() or user.username


def transition_make(*, machine, subject, user, action, comment="", check=None, event_for):
    """Checks the role, then the state, then the comment and `check` (in that order, so that
    a stranger learns nothing about the subject), then records the event and moves the
    subject, which the caller has locked inside its transaction. `event_for(**fields)` builds
    the subject's unsaved event. Returns the saved event."""
    transition = machine.transition(action)
    comment = (comment or "").strip()
    if not access.holds_role(user, subject, transition):
        raise PermissionDenied(
            f"Solo {transition.role_names} puede {transition.verb} {machine.this}."
        )
    role = access.acting_role(user, subject, transition)
    if role is None:
        state = subject.get_state_display().lower()
        raise WorkflowError(
            f"No se puede {transition.verb} {machine.indefinite} en estado {state}."
        )
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
    logger.info(
        "%s: %s",
        transition.event,
        subject,
        extra={
            "user": user.username,
            "action": transition.action,
            "subject": subject._meta.model_name,
            "subject_id": subject.pk,
            "from_state": event.from_state,
            "to_state": event.to_state,
        },
    )
    return event
