"""Authentication and authorisation, one concept a module:

* :mod:`app.auth.passwords` — argon2id hashes and the bounded number of hashes at once;
* :mod:`app.auth.login_limits` — failed-login windows per (user, IP), per IP and per account;
* :mod:`app.auth.lockout` — account lock-outs and security alerts (database);
* :mod:`app.auth.authenticate` — the login check in its order: limits, lock-out, hash;
* :mod:`app.auth.cookies` — the signed session cookie and the CSRF cookie;
* :mod:`app.auth.sessions` — server-side sessions (start, revoke, the user of a request);
* :mod:`app.auth.csrf` — the CSRF checks;
* :mod:`app.auth.guards` — ``current_user``, ``require_role``, websocket guards;
* :mod:`app.auth.headers` — security headers (CSP, framing, nosniff);
* :mod:`app.auth.body_limit` — request bodies refused by size before authentication.

The names other parts use by contract (``app.auth.require_role``, ``app.auth.CurrentUser``,
``app.auth.hash_password``) are the package's interface and are importable from here; the
modules import one another by their own names, never through this package, so this file
hides no import cycle.
"""

from __future__ import annotations

from app.auth.guards import CurrentUser, require_role, require_role_ws
from app.auth.passwords import hash_password

__all__ = ["CurrentUser", "hash_password", "require_role", "require_role_ws"]
