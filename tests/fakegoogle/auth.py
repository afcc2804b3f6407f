"""The OAuth token endpoint and bearer-token checks.

google-auth talks to ``/token`` exactly as it talks to oauth2.googleapis.com: a service account posts a
signed JWT (jwt-bearer grant), an authorized user posts a refresh token. The JWT signature is not checked
(the fake has no way to know the public key), but the JWT is parsed: ``iss`` is the service account and a
``sub`` different from ``iss`` means domain-wide delegation, i.e. acting as that user.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"


@dataclass(frozen=True)
class Principal:
    user: str
    service_account: bool  # True only for a service account acting as itself (no delegation)


class TokenError(Exception):
    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.body = {"error": error, "error_description": description}


class Auth:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.tokens: dict[str, Principal] = {}
        self.refresh_users: dict[str, str] = {}  # refresh token -> user email, optional naming
        self.revoked_refresh_tokens: set[str] = set()
        self.expires_in = 3600

    def reset(self) -> None:
        with self._lock:
            self.tokens.clear()
            self.revoked_refresh_tokens.clear()

    def issue(self, principal: Principal) -> str:
        token = "ya29.fake-" + secrets.token_urlsafe(24)
        with self._lock:
            self.tokens[token] = principal
        return token

    def principal(self, authorization: str | None) -> Principal | None:
        if not authorization or not authorization.lower().startswith("bearer "):
            return None
        with self._lock:
            return self.tokens.get(authorization.split(" ", 1)[1].strip())

    def token_endpoint(self, body: bytes) -> dict[str, Any]:
        form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
        grant = form.get("grant_type")
        if grant == JWT_GRANT:
            claims = _jwt_claims(form.get("assertion", ""))
            iss = claims.get("iss")
            if not iss or "scope" not in claims:
                raise TokenError(400, "invalid_grant", "Invalid JWT: iss and scope are required.")
            sub = claims.get("sub")
            delegated = bool(sub) and sub != iss
            principal = Principal(sub if delegated else iss, service_account=not delegated)
            scope = claims["scope"]
        elif grant == "refresh_token":
            refresh = form.get("refresh_token")
            if not refresh or not form.get("client_id"):
                raise TokenError(400, "invalid_request", "refresh_token and client_id are required.")
            if refresh in self.revoked_refresh_tokens:
                raise TokenError(400, "invalid_grant", "Token has been expired or revoked.")
            principal = Principal(self.refresh_users.get(refresh, "user@example.com"), service_account=False)
            scope = form.get("scope", "")
        else:
            raise TokenError(400, "unsupported_grant_type", f"Invalid grant_type: {grant}")
        token = self.issue(principal)
        answer: dict[str, Any] = {
            "access_token": token,
            "expires_in": self.expires_in,
            "token_type": "Bearer",
        }
        if scope:
            answer["scope"] = scope
        return answer


def _jwt_claims(assertion: str) -> dict[str, Any]:
    parts = assertion.split(".")
    if len(parts) != 3:
        raise TokenError(400, "invalid_grant", "Invalid JWT: expected three dot-separated parts.")
    try:
        payload = parts[1] + "=" * (-len(parts[1]) % 4)
        return json.loads(base64.urlsafe_b64decode(payload))
    except ValueError:
        raise TokenError(400, "invalid_grant", "Invalid JWT payload.") from None
