"""OAuth state: access tokens with a lifetime, refresh tokens and what each user consented to.

google-auth talks to ``/token`` exactly as it talks to oauth2.googleapis.com: a service account posts a
signed JWT (jwt-bearer grant), an authorized user posts a refresh token, the desktop sign-in posts the
authorization code it got from ``/o/oauth2/auth`` (see ``tokens.py`` for the HTTP side: logging, latency,
faults, the per-client rate). The JWT signature is not checked (the fake has no way to know the public
key), but the JWT is parsed: ``iss`` is the service account and a ``sub`` different from ``iss`` means
domain-wide delegation, i.e. acting as that user.

Every access token remembers who it was issued to (user, OAuth client) and with which scopes, and expires
``lifetime`` seconds after it was issued by the fake's clock — what Google's APIs check on every call.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
DEFAULT_USER = "user@example.com"


@dataclass(frozen=True)
class Principal:
    user: str
    service_account: bool  # True only for a service account acting as itself (no delegation)
    client: str = ""  # the OAuth client ID (a service account: its e-mail) the token was issued to
    scopes: frozenset[str] | None = None  # None: a token whose scopes nobody stated — not checked


@dataclass
class Grant:
    """A refresh token: who consented, for which client, to which scopes (None: whatever is asked)."""

    user: str
    client_id: str
    scopes: frozenset[str] | None = None


@dataclass
class PendingCode:
    """An authorization code handed to the browser, waiting to be exchanged once."""

    grant: Grant
    redirect_uri: str
    code_challenge: str = ""
    code_challenge_method: str = ""


class TokenError(Exception):
    """An OAuth error answer: ``{"error": ..., "error_description": ...}`` (RFC 6749 §5.2, Google's shape)."""

    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.body = {"error": error, "error_description": description}


@dataclass
class Auth:
    clock: Callable[[], float] = time.time
    lifetime: Callable[[], float] = lambda: 3600.0  # seconds an access token lives (Google: about an hour)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    tokens: dict[str, tuple[Principal, float]] = field(default_factory=dict)  # token → (who, expires at)
    grants: dict[str, Grant] = field(default_factory=dict)  # refresh tokens issued by the consent flow
    refresh_users: dict[str, str] = field(default_factory=dict)  # refresh token → user, optional naming
    revoked_refresh_tokens: set[str] = field(default_factory=set)
    # Scopes a user left ticked on Google's granular consent screen: refresh token (or "*": every one,
    # and every sign-in from now on) → scopes. Tokens get at most these.
    narrowed: dict[str, frozenset[str]] = field(default_factory=dict)
    codes: dict[str, PendingCode] = field(default_factory=dict)

    def reset(self) -> None:
        with self._lock:
            self.tokens.clear()
            self.grants.clear()
            self.revoked_refresh_tokens.clear()
            self.narrowed.clear()
            self.codes.clear()

    # -- access tokens -----------------------------------------------------------------------------------
    def issue(self, principal: Principal) -> tuple[str, int]:
        token = "ya29.fake-" + secrets.token_urlsafe(24)
        lifetime = float(self.lifetime())
        with self._lock:
            self.tokens[token] = (principal, self.clock() + lifetime)
        return token, int(lifetime)

    def principal(self, authorization: str | None) -> Principal | None:
        """Who a bearer token belongs to; None when unknown or expired (Google answers 401 either way)."""
        if not authorization or not authorization.lower().startswith("bearer "):
            return None
        with self._lock:
            found = self.tokens.get(authorization.split(" ", 1)[1].strip())
        if found is None or found[1] <= self.clock():
            return None
        return found[0]

    def expire_all(self, revoke: list[str] | None = None) -> None:
        with self._lock:
            self.tokens.clear()
            self.revoked_refresh_tokens.update(revoke or [])

    def narrow(self, scopes: list[str], refresh_token: str = "*") -> None:
        with self._lock:
            self.narrowed[refresh_token] = frozenset(scopes)

    # -- the consent screen (``/o/oauth2/auth``) ----------------------------------------------------------
    def consent(
        self, client_id: str, redirect_uri: str, scopes: list[str], challenge: str, method: str
    ) -> str:
        """The user signs in and allows: a one-time authorization code for the client."""
        granted = frozenset(scopes)
        with self._lock:
            if "*" in self.narrowed:
                granted &= self.narrowed["*"]
            code = "4/fake-" + secrets.token_urlsafe(24)
            self.codes[code] = PendingCode(
                Grant(DEFAULT_USER, client_id, granted), redirect_uri, challenge, method
            )
        return code

    # -- the token endpoint's grants ----------------------------------------------------------------------
    def token_endpoint(self, form: dict[str, str]) -> dict[str, Any]:
        grant = form.get("grant_type")
        refresh_token = None
        if grant == JWT_GRANT:
            principal = self._jwt_principal(form)
        elif grant == "refresh_token":
            principal = self._refresh_principal(form)
        elif grant == "authorization_code":
            principal, refresh_token = self._code_principal(form)
        else:
            raise TokenError(400, "unsupported_grant_type", f"Invalid grant_type: {grant}")
        token, expires_in = self.issue(principal)
        answer: dict[str, Any] = {"access_token": token, "expires_in": expires_in, "token_type": "Bearer"}
        if principal.scopes:
            answer["scope"] = " ".join(sorted(principal.scopes))
        if refresh_token:
            answer["refresh_token"] = refresh_token
        return answer

    def client_of(self, form: dict[str, str]) -> str:
        """The client a token request comes from (for the log and the per-client rate)."""
        if form.get("grant_type") == JWT_GRANT:
            try:
                return str(_jwt_claims(form.get("assertion", "")).get("iss", ""))
            except TokenError:
                return ""
        return form.get("client_id", "")

    def _jwt_principal(self, form: dict[str, str]) -> Principal:
        claims = _jwt_claims(form.get("assertion", ""))
        iss = claims.get("iss")
        if not iss or "scope" not in claims:
            raise TokenError(400, "invalid_grant", "Invalid JWT: iss and scope are required.")
        sub = claims.get("sub")
        delegated = bool(sub) and sub != iss
        scopes = frozenset(str(claims["scope"]).split())
        return Principal(sub if delegated else iss, not delegated, client=iss, scopes=scopes)

    def _refresh_principal(self, form: dict[str, str]) -> Principal:
        refresh = form.get("refresh_token")
        client_id = form.get("client_id")
        if not refresh or not client_id:
            raise TokenError(400, "invalid_request", "refresh_token and client_id are required.")
        with self._lock:
            if refresh in self.revoked_refresh_tokens:
                raise TokenError(400, "invalid_grant", "Token has been expired or revoked.")
            grant = self.grants.get(refresh)
            narrowed = self.narrowed.get(refresh, self.narrowed.get("*"))
        if grant is not None and grant.client_id != client_id:
            raise TokenError(401, "unauthorized_client", "Unauthorized")
        user = grant.user if grant else self.refresh_users.get(refresh, DEFAULT_USER)
        granted = grant.scopes if grant else None
        if narrowed is not None:
            granted = narrowed if granted is None else granted & narrowed
        requested = frozenset(form.get("scope", "").split()) or None
        # Google answers a refresh with the scopes asked for that the user granted (google-auth only warns
        # when some are missing): the intersection, or all granted ones when none are asked for.
        scopes = granted if requested is None else requested if granted is None else requested & granted
        return Principal(user, service_account=False, client=client_id, scopes=scopes)

    def _code_principal(self, form: dict[str, str]) -> tuple[Principal, str]:
        code = form.get("code", "")
        with self._lock:
            pending = self.codes.pop(code, None)  # one use only, like Google's
        if pending is None:
            raise TokenError(400, "invalid_grant", "Malformed auth code.")
        if form.get("client_id") != pending.grant.client_id or not form.get("client_secret"):
            raise TokenError(401, "invalid_client", "Unauthorized")
        if form.get("redirect_uri") != pending.redirect_uri:
            raise TokenError(400, "redirect_uri_mismatch", "Bad Request")
        if pending.code_challenge:
            verifier = form.get("code_verifier", "")
            if pending.code_challenge_method == "S256":
                digest = hashlib.sha256(verifier.encode()).digest()
                verifier = base64.urlsafe_b64encode(digest).decode().rstrip("=")
            if verifier != pending.code_challenge:
                raise TokenError(400, "invalid_grant", "Invalid code verifier.")
        refresh_token = "1//fake-" + secrets.token_urlsafe(24)
        with self._lock:
            self.grants[refresh_token] = pending.grant
        grant = pending.grant
        return Principal(grant.user, False, client=grant.client_id, scopes=grant.scopes), refresh_token


def _jwt_claims(assertion: str) -> dict[str, Any]:
    parts = assertion.split(".")
    if len(parts) != 3:
        raise TokenError(400, "invalid_grant", "Invalid JWT: expected three dot-separated parts.")
    try:
        payload = parts[1] + "=" * (-len(parts[1]) % 4)
        return json.loads(base64.urlsafe_b64decode(payload))
    except ValueError:
        raise TokenError(400, "invalid_grant", "Invalid JWT payload.") from None
