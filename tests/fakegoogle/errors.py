"""Google's JSON error shape, raised anywhere in the fake and rendered once by the dispatcher."""

from __future__ import annotations

from typing import Any

_STATUS_BY_CODE = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ALREADY_EXISTS",
    410: "NOT_FOUND",
    412: "FAILED_PRECONDITION",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    501: "UNIMPLEMENTED",
    503: "UNAVAILABLE",
}


class ApiError(Exception):
    """An error answered to the client as ``{"error": {...}}``.

    ``reason``/``domain`` fill ``errors[0]``; ``reason=None`` omits ``errors`` entirely, which is what
    Sheets does for 429 RESOURCE_EXHAUSTED (googleapiclient and gspread must cope with both shapes).
    """

    def __init__(
        self,
        code: int,
        message: str,
        reason: str | None = "badRequest",
        domain: str = "global",
        status: str | None = None,
        location: str | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.reason = reason
        self.domain = domain
        self.status = status or _STATUS_BY_CODE.get(code, "UNKNOWN")
        self.location = location

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "message": self.message, "status": self.status}
        if self.reason is not None:
            item: dict[str, Any] = {"message": self.message, "domain": self.domain, "reason": self.reason}
            if self.location:
                item["location"] = self.location
                item["locationType"] = "parameter"
            error["errors"] = [item]
        return {"error": error}


def bad_request(message: str, reason: str = "badRequest", location: str | None = None) -> ApiError:
    return ApiError(400, message, reason=reason, location=location)


def invalid(message: str, location: str | None = None) -> ApiError:
    return ApiError(400, message, reason="invalid", location=location)


def not_found(message: str, location: str | None = None) -> ApiError:
    return ApiError(404, message, reason="notFound", location=location)


def unauthenticated() -> ApiError:
    return ApiError(
        401,
        "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or "
        "other valid authentication credential.",
        reason="authError",
        location="Authorization",
    )
