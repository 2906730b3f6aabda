"""Making one transition of any workflow of poa.rules.states, the same way for every subject (a
report, a programming, a modification): the services of poa.services.review and
poa.services.programming lock
their subject and call `transition_make`, which checks and records it."""

import logging

from django.core.exceptions import PermissionDenied

from poa.rules.states import WorkflowError
from poa.selectors import access
from poa.selectors.access import signer_name

logger = logging.getLogger("poa.workflow")


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
