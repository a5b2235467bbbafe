"""Who may come in, and what each may see: argon2id password hashes (argon2-cffi), a rate limit
on sign-in attempts (the ``limits`` package's moving window), and the visibility rules.

The limit counts attempts per client address and per user name, in this process's memory: a
restart forgets it, and several server processes would each count their own (docs/serve.md runs
one process; a shared limit would use ``limits``' Redis or Memcached storage).
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any, Mapping

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from limits import RateLimitItemPerMinute
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from checkengine.archive.workspace import Inspection, User

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
# Hashed once, to spend the same time on an unknown user name as on a known one.
_DUMMY = _hasher.hash("not a password anyone has")

MIN_PASSWORD = 12


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password(user: User | None, password: str) -> bool:
    """Whether *password* is *user*'s (an unknown or disabled user: no, after the same work)."""
    try:
        _hasher.verify(user.password if user is not None else _DUMMY, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
    return user is not None and user.active


def needs_rehash(user: User) -> bool:
    return _hasher.check_needs_rehash(user.password)


def session_seal(secret: str, user: User) -> str:
    """What a session keeps of the password it was opened with: an HMAC of the user's password
    hash under the server's secret (the cookie is signed, not encrypted, so the hash itself never
    goes in it). A new password makes every session opened with the old one stop at its next
    request (``views.current_user``)."""
    return hmac.new(secret.encode(), user.password.encode(), hashlib.sha256).hexdigest()[:32]


def seal_matches(secret: str, user: User, seal: object) -> bool:
    return isinstance(seal, str) and hmac.compare_digest(seal, session_seal(secret, user))


class LoginLimiter:
    """At most *per_minute* sign-in attempts a minute from one address, and for one user name."""

    def __init__(self, per_minute: int = 5) -> None:
        self.item = RateLimitItemPerMinute(per_minute)
        self.limiter = MovingWindowRateLimiter(MemoryStorage())

    def allow(self, address: str, username: str) -> bool:
        by_address = self.limiter.hit(self.item, "address", address)
        by_name = self.limiter.hit(self.item, "user", username.casefold())
        return by_address and by_name


def sites_of(user: User, sites: Mapping[str, Any]) -> list[str]:
    """The sites of *sites* that *user* works at: every one for an administrator, else their own."""
    return sorted(sites) if user.role == "administrator" else [s for s in user.sites if s in sites]


def may_see(user: User, inspection: Inspection) -> bool:
    """An administrator sees every inspection; an auditor those assigned to them; a site manager
    those of their sites; a policy author none (they work on rulebooks)."""
    if user.role == "administrator":
        return True
    if user.role == "auditor":
        return inspection.assigned_to == user.id
    if user.role == "site_manager":
        return inspection.site in user.sites
    return False


def may_submit(user: User, inspection: Inspection) -> bool:
    return user.role == "auditor" and inspection.assigned_to == user.id
