"""The Cloud project behind the OAuth client: which APIs are switched on, and what a token's scopes allow.

Two of Google's set-up failures, answered the way Google answers them (shapes from public issue threads,
see LIMITS.md/README):

* an API not enabled in the project (config ``disabled_apis``, e.g. ``["calendar"]``) → 403
  ``PERMISSION_DENIED``, ``errors[].reason`` ``accessNotConfigured`` (domain ``usageLimits``), and a
  ``google.rpc.ErrorInfo`` detail with reason ``SERVICE_DISABLED`` whose metadata carries the console's
  activation link;
* a token without any of the scopes the method's discovery document lists (``narrow_scopes``: the user
  unticked a box on the consent screen) → 403 ``PERMISSION_DENIED``, ``insufficientPermissions``, ErrorInfo
  reason ``ACCESS_TOKEN_SCOPE_INSUFFICIENT``.

Both are checked right after the token is accepted, before the request's parameters are validated.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .auth import Principal
from .discovery import Match
from .errors import ApiError
from .workspace import Config

PROJECT_NUMBER = "123456789012"  # the fake Cloud project's number, as it appears in Google's links
SERVICES = {  # API name in discovery → (service name, title) as Google's error details name them
    "sheets": ("sheets.googleapis.com", "Google Sheets API"),
    "drive": ("drive.googleapis.com", "Google Drive API"),
    "calendar": ("calendar-json.googleapis.com", "Google Calendar API"),
    "docs": ("docs.googleapis.com", "Google Docs API"),
    "gmail": ("gmail.googleapis.com", "Gmail API"),
}
ERROR_INFO = "type.googleapis.com/google.rpc.ErrorInfo"


class DetailedError(ApiError):
    """An ApiError with Google's ``details`` list and its own ``errors[0]`` extras."""

    def __init__(self, code: int, message: str, *, reason: str, domain: str, item_message: str,
                 details: list[dict[str, Any]], extra: dict[str, str] | None = None) -> None:  # fmt: skip
        super().__init__(code, message, reason=reason, domain=domain)
        self.item_message = item_message
        self.details = details
        self.extra = extra or {}

    def body(self) -> dict[str, Any]:
        body = super().body()
        error = body["error"]
        error["errors"][0].update({"message": self.item_message, **self.extra})
        error["details"] = self.details
        return body


def service_disabled(api: str) -> DetailedError:
    service, title = SERVICES[api]
    link = f"https://console.developers.google.com/apis/api/{service}/overview?project={PROJECT_NUMBER}"
    message = (
        f"{title} has not been used in project {PROJECT_NUMBER} before or it is disabled. Enable it by "
        f"visiting {link} then retry. If you enabled this API recently, wait a few minutes for the action "
        f"to propagate to our systems and retry."
    )
    return DetailedError(
        403, message, reason="accessNotConfigured", domain="usageLimits", item_message=message,
        extra={"extendedHelp": "https://console.developers.google.com"},
        details=[
            {"@type": ERROR_INFO, "reason": "SERVICE_DISABLED", "domain": "googleapis.com",
             "metadata": {"service": service, "serviceTitle": title, "consumer": f"projects/{PROJECT_NUMBER}",
                          "containerInfo": PROJECT_NUMBER, "activationUrl": link}},
            {"@type": "type.googleapis.com/google.rpc.LocalizedMessage", "locale": "en-US",
             "message": message},
            {"@type": "type.googleapis.com/google.rpc.Help",
             "links": [{"description": "Google developers console API activation", "url": link}]},
        ],
    )  # fmt: skip


def scope_insufficient(api: str, version: str, method_id: str) -> DetailedError:
    service = SERVICES[api][0]
    # Google names the RPC, e.g. "calendar.v3.Events.Insert"; the fake builds it from the discovery id
    parts = method_id.split(".")
    method = ".".join([api, version, *[p[:1].upper() + p[1:] for p in parts[1:]]])
    return DetailedError(
        403, "Request had insufficient authentication scopes.", reason="insufficientPermissions",
        domain="global", item_message="Insufficient Permission",
        details=[{"@type": ERROR_INFO, "reason": "ACCESS_TOKEN_SCOPE_INSUFFICIENT",
                  "domain": "googleapis.com", "metadata": {"service": service, "method": method}}],
    )  # fmt: skip


class ProjectGate:
    """Called by the dispatcher for every API call once the caller is known."""

    def __init__(self, config: Callable[[], Config]) -> None:
        self.config = config

    def __call__(self, match: Match, principal: Principal) -> None:
        api = match.route.api
        if api in self.config().disabled_apis:
            raise service_disabled(api)
        allowed = set(match.route.method.get("scopes") or [])
        if principal.scopes is not None and allowed and not allowed & principal.scopes:
            raise scope_insufficient(api, match.route.doc["version"], match.route.method_id)
