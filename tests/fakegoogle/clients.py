"""Real Google clients wired to a fake, exactly as the product must wire them (copy this approach).

The product reads ``GMO_SYNC_GOOGLE_ENDPOINT`` (e.g. ``https://127.0.0.1:8443``) and
``GMO_SYNC_GOOGLE_CA_BUNDLE`` (a PEM file). Credentials carry ``token_uri = ENDPOINT + "/token"`` so the
real google-auth refresh code obtains tokens from the fake.
"""

from __future__ import annotations

import json
from typing import Any

import google.auth.transport.requests
import google_auth_httplib2
import gspread
import httplib2
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from google.oauth2 import credentials as user_credentials
from google.oauth2 import service_account
from googleapiclient.discovery import build
from googleapiclient.http import BatchHttpRequest

SCOPES = [
    "https://www.googleapis.com/auth/spreadsheets",
    "https://www.googleapis.com/auth/drive",
    "https://www.googleapis.com/auth/calendar.events",
    "https://www.googleapis.com/auth/documents",
]
GOOGLE_HOSTS = ("https://sheets.googleapis.com", "https://www.googleapis.com", "https://docs.googleapis.com")


def service_account_info(endpoint: str, email: str = "gmo-sync@fake-project.iam.gserviceaccount.com"):
    """A service-account key JSON (fresh RSA key) whose token_uri is the fake's."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    return {
        "type": "service_account",
        "project_id": "fake-project",
        "private_key_id": "fake-key-1",
        "private_key": pem,
        "client_email": email,
        "client_id": "1234567890",
        "auth_uri": endpoint + "/auth",
        "token_uri": endpoint + "/token",
        "auth_provider_x509_cert_url": endpoint + "/certs",
        "client_x509_cert_url": endpoint + "/certs/x",
        "universe_domain": "googleapis.com",
    }


def authorized_user_info(endpoint: str, refresh_token: str = "fake-refresh-token") -> dict[str, Any]:
    """What InstalledAppFlow leaves in token.json, pointed at the fake."""
    return {
        "type": "authorized_user",
        "client_id": "fake-client.apps.googleusercontent.com",
        "client_secret": "fake-secret",
        "refresh_token": refresh_token,
        "token_uri": endpoint + "/token",
        "scopes": SCOPES,
    }


def credentials(endpoint: str, kind: str = "user", subject: str | None = None, **info: Any):
    """Real google-auth credentials whose token requests go to ``endpoint + "/token"``.

    google-auth 2.63 ignores ``token_uri`` in authorized-user info (it always uses Google's), so the
    override must be explicit: ``with_token_uri`` — the product must do the same when an endpoint is set.
    """
    token_uri = endpoint + "/token"
    if kind == "service_account":
        creds = service_account.Credentials.from_service_account_info(
            info or service_account_info(endpoint), scopes=SCOPES
        )
        creds = creds.with_token_uri(token_uri)
        return creds.with_subject(subject) if subject else creds
    creds = user_credentials.Credentials.from_authorized_user_info(info or authorized_user_info(endpoint))
    return creds.with_token_uri(token_uri)


def plain_http(ca_path: str, timeout: float | None = 30) -> httplib2.Http:
    """What ``googleapiclient.http.build_http`` makes, but trusting ``ca_path``.

    Resumable uploads answer 308 "Resume Incomplete"; httplib2 would follow it as a redirect, so
    googleapiclient's own ``build_http`` removes 308 from ``redirect_codes`` — a hand-made Http must too.
    """
    http = httplib2.Http(ca_certs=ca_path, timeout=timeout)
    http.redirect_codes = http.redirect_codes - {308}
    return http


def authorized_http(creds, ca_path: str, timeout: float | None = 30) -> google_auth_httplib2.AuthorizedHttp:
    return google_auth_httplib2.AuthorizedHttp(creds, http=plain_http(ca_path, timeout))


class BearerHttp(httplib2.Http):
    """An ``httplib2.Http`` that authorizes its own requests (refreshing through ``ca_path``).

    Needed for HTTP batch against a private CA: ``BatchHttpRequest.execute`` refreshes an
    ``AuthorizedHttp``'s credentials through a brand-new ``httplib2.Http()`` that trusts only the default
    CA bundle. This class exposes no google-auth ``credentials`` attribute, so the batch code leaves auth to
    it: the outer batch request carries the bearer token, which Google (and the fake) apply to every part.
    """

    def __init__(self, creds, ca_path: str, timeout: float | None = 30) -> None:
        super().__init__(ca_certs=ca_path, timeout=timeout)
        self.redirect_codes = self.redirect_codes - {308}  # see plain_http
        self._google_creds = creds
        self._token_request = google_auth_httplib2.Request(httplib2.Http(ca_certs=ca_path, timeout=timeout))

    def request(self, uri, method="GET", body=None, headers=None, redirections=5, connection_type=None):
        headers = dict(headers or {})
        for attempt in range(2):  # like AuthorizedHttp: one refresh-and-retry on 401
            if attempt or not self._google_creds.valid:
                self._google_creds.refresh(self._token_request)
            self._google_creds.apply(headers)
            resp, content = super().request(
                uri,
                method,
                body=body,
                headers=headers,
                redirections=redirections,
                connection_type=connection_type,
            )
            if resp.status != 401:
                break
        return resp, content


def service(
    name: str,
    version: str,
    endpoint: str,
    ca_path: str,
    creds,
    timeout: float | None = 30,
    batch_safe: bool = False,
):
    """googleapiclient service on the static discovery document, every URL on ``endpoint``.

    ``batch_safe=True`` uses :class:`BearerHttp` instead of ``AuthorizedHttp`` so that requests from this
    service can go into a ``BatchHttpRequest`` (see its docstring for why).
    """
    path = {"drive": "/drive/v3/", "calendar": "/calendar/v3/"}.get(name, "/")
    http = BearerHttp(creds, ca_path, timeout) if batch_safe else authorized_http(creds, ca_path, timeout)
    return build(
        name,
        version,
        static_discovery=True,
        cache_discovery=False,
        client_options={"api_endpoint": endpoint + path},
        http=http,
    )


def batch(endpoint: str, name: str, callback=None) -> BatchHttpRequest:
    """``client_options`` does not move the batch URL: pass it explicitly."""
    return BatchHttpRequest(callback=callback, batch_uri=f"{endpoint}/batch/{name}/v3")


class VerifyingSession(requests.Session):
    """A session that verifies with ``ca_path`` on every request.

    ``session.verify = path`` is not enough: requests lets ``REQUESTS_CA_BUNDLE``/``CURL_CA_BUNDLE`` from
    the environment override a session's ``verify`` (per-request ``verify=`` wins over both).
    """

    def __init__(self, ca_path: str) -> None:
        super().__init__()
        self.ca_path = ca_path

    def request(self, method, url, *args, **kwargs):
        kwargs.setdefault("verify", self.ca_path)
        return super().request(method, url, *args, **kwargs)


class RewritingSession(google.auth.transport.requests.AuthorizedSession):
    """gspread imports its URL constants by value, so the session moves Google's hosts instead."""

    def __init__(self, creds, endpoint: str, ca_path: str) -> None:
        token_request = google.auth.transport.requests.Request(VerifyingSession(ca_path))
        super().__init__(creds, auth_request=token_request)
        self.endpoint = endpoint.rstrip("/")
        self.ca_path = ca_path

    def request(self, method, url, *args, **kwargs):
        for host in GOOGLE_HOSTS:
            if url.startswith(host):
                url = self.endpoint + url[len(host) :]
                break
        kwargs.setdefault("verify", self.ca_path)
        return super().request(method, url, *args, **kwargs)


def gspread_client(endpoint: str, ca_path: str, creds) -> gspread.Client:
    return gspread.Client(auth=creds, session=RewritingSession(creds, endpoint, ca_path))


def dumps(info: dict[str, Any]) -> str:
    return json.dumps(info)
