"""Who may do what with which record: named predicates, used by the services (never by the views)."""
from __future__ import annotations

from .models import Status, Visibility
from .principal import Principal

EDITABLE = {Status.draft.value, Status.changes_requested.value}
COORDINATOR_SEES = {Status.submitted.value, Status.changes_requested.value, Status.rejected.value,
                    Status.archived.value}
DELETABLE_BY_OWNER = {Status.draft.value, Status.changes_requested.value, Status.rejected.value,
                      Status.archived.value}


def is_own(principal: Principal, record) -> bool:
    return principal.society_id is not None and principal.society_id == record.society_id


def visible(principal: Principal, society_id, status: str, visibility: str) -> bool:
    """Whether the caller may see a record in this state: the one rule behind ``can_read``, the lists'
    SQL filter, the changes feed and webhooks (which judge past states from the change log)."""
    if status == Status.published.value and visibility == Visibility.public.value:
        return True
    if not principal.has("read"):
        return False
    if principal.is_admin:
        return True
    if status == Status.published.value:
        return True  # network visibility: every authenticated member of the network
    if principal.society_id is not None and principal.society_id == society_id:
        return True
    # Coordinators see everything that was ever submitted to them: what awaits review, what they sent back or
    # rejected, and what was archived (they may publish it again). Never a society's private drafts.
    return principal.is_coordinator and status in COORDINATOR_SEES


def can_read(principal: Principal, record) -> bool:
    return visible(principal, record.society_id, record.status, record.visibility)


def can_read_personal_fields(principal: Principal) -> bool:
    return principal.has("contacts:read")


def hidden_fields(principal: Principal, record_type: str) -> tuple[str, ...]:
    """The fields of a record of this type that the caller may not read (contacts' personal data)."""
    from .models import PERSONAL_FIELDS

    return () if record_type != "contact" or can_read_personal_fields(principal) else PERSONAL_FIELDS


def can_create(principal: Principal, society_id) -> bool:
    if principal.is_admin:
        return True
    return principal.has("write") and principal.society_id is not None and principal.society_id == society_id


def can_edit(principal: Principal, record) -> bool:
    """Editing as such (the state check is separate, for everyone: see ``editable_state``)."""
    if principal.is_admin:
        return True
    return principal.has("write") and is_own(principal, record)


def editable_state(record, pending=None) -> bool:
    """Drafts and records with changes requested are edited in place; a published record through its pending
    revision, unless that awaits review."""
    if record.status == Status.published.value:
        return pending is None or pending.status in EDITABLE
    return record.status in EDITABLE


def can_delete(principal: Principal, record) -> bool:
    if principal.is_admin:
        return True
    return principal.has("write") and is_own(principal, record)


def deletable_state(principal: Principal, record) -> bool:
    if principal.is_admin or record.record_type == "contact":
        return True  # contacts are personal data: their society may always remove them
    return record.status in DELETABLE_BY_OWNER



def submittable_state(record, pending=None) -> bool:
    if record.status == Status.published.value:
        return pending is not None and pending.status in SUBMITTABLE
    return record.status in SUBMITTABLE


def reviewable_state(record, pending=None) -> bool:
    if record.status == Status.published.value:
        return pending is not None and pending.status == Status.submitted.value
    return record.status == Status.submitted.value


def record_actions(principal: Principal, record, pending=None) -> list[str]:
    """What the caller may do with the record now: shown in every response so frontends show only working
    buttons. ``pending``: the record's pending revision, if any."""
    actions = []
    if can_edit(principal, record) and editable_state(record, pending):
        actions.append("edit")
    if can_submit(principal, record) and submittable_state(record, pending):
        actions.append("submit")
    if can_review(principal, record) and reviewable_state(record, pending):
        actions.append("review")
    if can_archive(principal, record) and record.status == Status.published.value:
        actions.append("archive")
    if can_archive(principal, record) and record.status == Status.archived.value:
        actions.append("unarchive")
    if can_delete(principal, record) and deletable_state(principal, record):
        actions.append("delete")
    return actions


def readable_filter(principal: Principal, model):
    """``can_read`` as a SQL condition, so lists, totals and pages only ever count what the caller may see."""
    from sqlalchemy import and_, or_, true

    public = and_(model.status == Status.published.value, model.visibility == Visibility.public.value)
    if not principal.has("read"):
        return public
    if principal.is_admin:
        return true()
    conditions = [public, model.status == Status.published.value]
    if principal.society_id is not None:
        conditions.append(model.society_id == principal.society_id)
    if principal.is_coordinator:
        conditions.append(model.status.in_(sorted(COORDINATOR_SEES)))
    return or_(*conditions)


def sees_who(principal: Principal) -> bool:
    """Who changed a translation or uploaded a file is personal data of a volunteer or staff member: shown to
    the network's signed-in callers only (a token with ``read``), never to anonymous ones."""
    return principal.is_authenticated and principal.has("read")


def can_see_review_figures(principal: Principal) -> bool:
    """The moderation queue's size and age and the review times of the statistics: coordinators' figures."""
    return principal.has("read") and principal.is_coordinator


def submissions_counted(principal: Principal) -> str | None:
    """Whose submissions the statistics count for the caller: ``all`` (coordinators, administrators), ``own``
    (a society's members: their society's), None (anyone else)."""
    if not principal.has("read"):
        return None
    if principal.is_coordinator or principal.is_admin:
        return "all"
    return "own" if principal.society_id is not None else None


def require_scope(principal: Principal, scope: str | None, doing: str) -> None:
    """401 for an anonymous caller (sign in), 403 naming the scope for a token without it."""
    from .errors import Forbidden, Unauthorized

    if not principal.is_authenticated:
        wanted = f" with the '{scope}' scope" if scope else ""
        challenge = f'Bearer realm="atn-hub", scope="{scope}"' if scope else 'Bearer realm="atn-hub"'
        raise Unauthorized(f"{doing} needs a bearer token{wanted}.", headers={"WWW-Authenticate": challenge})
    if scope and not principal.has(scope):
        raise Forbidden(f"{doing} needs the '{scope}' scope.", scope=scope)


SUBMITTABLE = {Status.draft.value, Status.changes_requested.value}


def can_submit(principal: Principal, record) -> bool:
    return principal.has("write") and (is_own(principal, record) or principal.is_admin)


def can_review(principal: Principal, record) -> bool:
    return principal.is_coordinator


def can_archive(principal: Principal, record) -> bool:
    return can_review(principal, record) or can_submit(principal, record)


def require_admin(principal: Principal, doing: str) -> None:
    """401 anonymous, 403 without the 'admin' scope or without the administrator role."""
    from .errors import Forbidden

    require_scope(principal, "admin", doing)
    if not principal.is_admin:
        raise Forbidden(f"{doing} needs an administrator.", scope="admin")
