"""Who may create what: one rule per action, enforced by the services (reps/services.py).

Pages, the API, the admin and imports all create records through the services; when a
service is given the acting user (``by_user``) it applies these rules, so every path gives
the same answer. Bulk loaders and the admin's own forms act as the system (no ``by_user``)
or as an admin, who may do everything.

- **Activities and opportunities** are logged by the rep who owns them, or by an admin. A
  manager reads their reps' records and reassigns them, but does not log them.
- **Customer feedback** is credited to the rep given; without one, to the user if they are
  a rep, else to the account's owner. A rep credits only themselves; a manager the reps of
  their teams; an admin anyone. Nobody files feedback on an account they cannot see.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied

from reps import selectors
from reps.access import can_manage_rep, is_admin, rep_of
from reps.models import Account, Rep


def may_log_for(user: Any, owner: Rep) -> bool:
    """Whether ``user`` may create an activity or opportunity owned by ``owner``."""
    return selectors.can_write(user, owner)


def feedback_rep(user: Any, account: Account, rep: Rep | None) -> Rep | None:
    """The rep a new feedback entry is credited to (see the module's rule)."""
    return rep or rep_of(user) or account.owner


def may_file_feedback(user: Any, account: Account, rep: Rep | None) -> bool:
    """Whether ``user`` may file feedback on ``account`` credited to ``rep`` (None: nobody)."""
    if is_admin(user):
        return True
    if not selectors.visible_accounts(user).filter(pk=account.pk).exists():
        return False
    if rep is None:
        return selectors.can_edit_account(user, account)
    return selectors.can_write(user, rep) or can_manage_rep(user, rep)


def require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied
