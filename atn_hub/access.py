"""Every endpoint declares who may call it. The declaration does three things at once: it documents the
operation's security in OpenAPI (the scopes Swagger UI asks for), it refuses callers without the scope
before the body is even parsed (401 anonymous, 403 missing scope), and it marks the view, so a test can
prove that no route is reachable without a declared rule (``tests/test_access.py``).

The finer rules (which society, which state) stay in the services.
"""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps

ANYONE = "anyone"  # no token needed (what is public), a token may see more
SIGNED_IN = "signed-in"  # any valid token
ACCESS_ATTR = "_atn_access"

OAUTH2 = "oauth2"
PERSONAL_TOKEN = "personalToken"


def _security(scope: str | None, optional: bool) -> list[dict]:
    requirement = [{OAUTH2: [scope] if scope else []}, {PERSONAL_TOKEN: []}]
    return requirement + ([{}] if optional else [])


def declare(func: Callable, level: str) -> Callable:
    setattr(func, ACCESS_ATTR, level)
    return func


def access(blp, level: str) -> Callable:
    """``level``: ANYONE, SIGNED_IN, or a scope name (``read``, ``write``, ``moderate``, ``admin``, ...)."""
    from .oauth.protector import current_principal
    from .permissions import require_scope

    def decorator(func: Callable) -> Callable:
        @wraps(func)
        def wrapper(*args, **kwargs):
            principal = current_principal()
            if level == SIGNED_IN:
                require_scope(principal, None, "This operation")
            elif level != ANYONE:
                require_scope(principal, level, "This operation")
            return func(*args, **kwargs)

        declare(wrapper, level)
        if level == ANYONE:
            security = _security("read", optional=True)
        else:
            security = _security(None if level == SIGNED_IN else level, optional=False)
        return blp.doc(security=security)(wrapper)

    return decorator


def public(func: Callable) -> Callable:
    """For plain Flask routes outside the API (docs, OAuth endpoints): callable by anyone, by design."""
    return declare(func, ANYONE)
