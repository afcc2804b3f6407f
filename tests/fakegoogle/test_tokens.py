"""The OAuth endpoints: token requests are logged, delayed, faulted and rate-limited; tokens expire."""

from __future__ import annotations

import base64
import hashlib
import json
import time
from urllib.parse import parse_qs, urlencode, urlsplit

import google.auth.exceptions
import pytest
import requests
from googleapiclient.errors import HttpError

from . import clients

CLIENT = "fake-client.apps.googleusercontent.com"
DRIVE_FILE = "https://www.googleapis.com/auth/drive.file"
CALENDAR_EVENTS = "https://www.googleapis.com/auth/calendar.events"


def post_token(fake, **form: str) -> requests.Response:
    return requests.post(fake.base_url + "/token", data=form, verify=fake.ca_path, timeout=10)


def refresh(fake, refresh_token: str = "fake-refresh-token", client_id: str = CLIENT, **extra: str):
    return post_token(fake, grant_type="refresh_token", refresh_token=refresh_token, client_id=client_id,
                      client_secret="s", **extra)  # fmt: skip


def list_files(fake, token: str) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"}
    return requests.get(fake.base_url + "/drive/v3/files", headers=headers, verify=fake.ca_path, timeout=10)


def test_token_requests_are_logged_with_client_and_grant(fake, svc, sa_creds):
    svc("drive", "v3").files().list().execute()
    svc("drive", "v3", creds=sa_creds).files().list().execute()
    tokens = [e for e in fake.request_log() if e["api_method"] == "oauth2.token"]
    assert [(e["grant"], e["client"], e["status"]) for e in tokens] == [
        ("refresh_token", CLIENT, 200),
        ("jwt-bearer", "gmo-sync@fake-project.iam.gserviceaccount.com", 200),
    ]
    assert [e["n"] for e in fake.request_log()] == [1, 2, 3, 4]  # one numbering for every request
    assert fake.request_count == 4


def test_access_tokens_expire_after_the_configured_lifetime(fake):
    fake.configure(access_token_lifetime_seconds=0.5)
    answer = refresh(fake).json()
    assert answer["expires_in"] == 0 and answer["token_type"] == "Bearer"
    assert list_files(fake, answer["access_token"]).status_code == 200
    time.sleep(0.6)
    expired = list_files(fake, answer["access_token"])
    assert expired.status_code == 401 and expired.json()["error"]["status"] == "UNAUTHENTICATED"


def test_the_default_lifetime_is_an_hour(fake):
    assert refresh(fake).json()["expires_in"] == 3600


def test_expire_now_over_http_and_revoked_refresh_tokens_answer_invalid_grant(fake):
    token = refresh(fake).json()["access_token"]
    control = requests.post(fake.base_url + "/_fake/tokens", json={}, verify=fake.ca_path, timeout=10)
    assert control.status_code == 200
    assert list_files(fake, token).status_code == 401
    fake.expire_tokens(revoke_refresh_tokens=["fake-refresh-token"])
    revoked = refresh(fake)
    assert (revoked.status_code, revoked.json()) == (
        400,
        {"error": "invalid_grant", "error_description": "Token has been expired or revoked."},
    )
    assert refresh(fake, refresh_token="another").status_code == 200  # only that one was revoked


def test_faults_reach_the_token_endpoint_only_when_named(fake, svc):
    fake.add_fault("500", at=1)  # a rule for "the next request" means an API call, not a sign-in
    fake.add_fault("503", method="oauth2.token", at=1)
    fake.set_latency(0, per_method={"oauth2.token": 120})
    svc("drive", "v3").files().list().execute(num_retries=1)  # google-auth retries the 503 itself
    log = fake.request_log()
    assert [(e["api_method"], e["status"], e["fault"]) for e in log] == [
        ("oauth2.token", 503, "503"),
        ("oauth2.token", 200, None),
        ("drive.files.list", 500, "500"),
        ("drive.files.list", 200, None),
    ]
    assert log[0]["elapsed_ms"] >= 120 and log[1]["elapsed_ms"] >= 120


def test_a_dropped_token_answer_fails_the_refresh(fake, user_creds):
    fake.add_fault("drop", method="oauth2.*", at=1)
    session = clients.RewritingSession(user_creds, fake.base_url, fake.ca_path)
    with pytest.raises((google.auth.exceptions.TransportError, requests.exceptions.ConnectionError)):
        session.get(fake.base_url + "/drive/v3/files")
    assert session.get(fake.base_url + "/drive/v3/files").status_code == 200


def test_per_client_token_rate(fake):
    fake.configure(token_requests_per_client_per_minute=2)
    assert [refresh(fake).status_code for _ in range(2)] == [200, 200]
    limited = refresh(fake)
    assert limited.status_code == 429 and limited.json()["error"] == "rate_limit_exceeded"
    assert refresh(fake, client_id="other-client").status_code == 200  # the limit is per client


def test_narrowed_consent_gives_tokens_fewer_scopes(fake):
    asked = " ".join([DRIVE_FILE, CALENDAR_EVENTS])
    assert set(refresh(fake, scope=asked).json()["scope"].split()) == {DRIVE_FILE, CALENDAR_EVENTS}
    requests.post(fake.base_url + "/_fake/tokens", json={"narrow_scopes": {"scopes": [DRIVE_FILE]}},
                  verify=fake.ca_path, timeout=10).raise_for_status()  # fmt: skip
    assert refresh(fake, scope=asked).json()["scope"] == DRIVE_FILE


def _authorize(fake, **params: str) -> requests.Response:
    query = {"response_type": "code", "client_id": CLIENT, "redirect_uri": "http://localhost:8765/",
             "scope": DRIVE_FILE, "state": "st4te", **params}  # fmt: skip
    return requests.get(f"{fake.base_url}/o/oauth2/auth?{urlencode(query)}", allow_redirects=False,
                        verify=fake.ca_path, timeout=10)  # fmt: skip


def test_consent_redirects_with_a_code_that_works_once_with_its_verifier(fake):
    verifier = "v" * 50
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
    answer = _authorize(fake, code_challenge=challenge, code_challenge_method="S256")
    assert answer.status_code == 302
    location = urlsplit(answer.headers["Location"])
    assert (location.scheme, location.netloc, location.path) == ("http", "localhost:8765", "/")
    params = {k: v[0] for k, v in parse_qs(location.query).items()}
    assert params["state"] == "st4te" and params["scope"] == DRIVE_FILE
    exchange = {"grant_type": "authorization_code", "code": params["code"], "client_id": CLIENT,
                "client_secret": "s", "redirect_uri": "http://localhost:8765/"}  # fmt: skip
    assert post_token(fake, **exchange, code_verifier="wrong").json()["error"] == "invalid_grant"
    # the failed attempt used the code up, as Google does: a fresh consent for the real exchange
    params = parse_qs(urlsplit(_authorize(fake, code_challenge=challenge, code_challenge_method="S256")
                               .headers["Location"]).query)  # fmt: skip
    exchange["code"] = params["code"][0]
    tokens = post_token(fake, **exchange, code_verifier=verifier).json()
    assert tokens["refresh_token"].startswith("1//") and tokens["scope"] == DRIVE_FILE
    assert post_token(fake, **exchange, code_verifier=verifier).json()["error"] == "invalid_grant"
    again = refresh(fake, refresh_token=tokens["refresh_token"]).json()
    assert again["scope"] == DRIVE_FILE and list_files(fake, again["access_token"]).status_code == 200
    wrong_client = refresh(fake, refresh_token=tokens["refresh_token"], client_id="other-client")
    assert wrong_client.status_code == 401 and wrong_client.json()["error"] == "unauthorized_client"


def test_consent_refuses_non_loopback_redirects_and_can_be_denied(fake):
    refused = _authorize(fake, redirect_uri="https://example.com/")
    assert refused.status_code == 400 and "loopback" in refused.text
    fake.configure(consent_denied=True)
    denied = parse_qs(urlsplit(_authorize(fake).headers["Location"]).query)
    assert denied == {"error": ["access_denied"], "state": ["st4te"]}


def _error(response: requests.Response) -> dict:
    return response.json()["error"]


def test_a_disabled_api_answers_service_disabled_with_the_activation_link(fake, svc):
    requests.post(fake.base_url + "/_fake/config", json={"disabled_apis": ["calendar"]}, verify=fake.ca_path,
                  timeout=10).raise_for_status()  # fmt: skip
    assert svc("drive", "v3").files().list().execute()["files"] == []  # the other APIs still answer
    token = refresh(fake).json()["access_token"]
    answer = requests.get(fake.base_url + "/calendar/v3/calendars/primary/events", verify=fake.ca_path,
                          headers={"Authorization": f"Bearer {token}"}, timeout=10)  # fmt: skip
    error = _error(answer)
    assert (answer.status_code, error["status"]) == (403, "PERMISSION_DENIED")
    item = error["errors"][0]
    assert (item["reason"], item["domain"]) == ("accessNotConfigured", "usageLimits")
    (info,) = [d for d in error["details"] if d["@type"] == "type.googleapis.com/google.rpc.ErrorInfo"]
    assert info["reason"] == "SERVICE_DISABLED"
    link = info["metadata"]["activationUrl"]
    assert link.startswith("https://console.developers.google.com/apis/api/calendar-json.googleapis.com/")
    assert link in error["message"] and info["metadata"]["service"] == "calendar-json.googleapis.com"
    assert fake.request_log()[-1]["status"] == 403  # logged like any answer


def test_a_token_without_the_scope_answers_scope_insufficient(fake, svc):
    fake.narrow_scopes(["https://www.googleapis.com/auth/drive", "https://www.googleapis.com/auth/spreadsheets"])
    assert svc("drive", "v3").files().list().execute()["files"] == []
    events = svc("calendar", "v3").events()
    with pytest.raises(HttpError) as raised:
        events.list(calendarId="primary").execute()
    error = json.loads(raised.value.content)["error"]
    assert (raised.value.status_code, error["status"]) == (403, "PERMISSION_DENIED")
    assert error["message"] == "Request had insufficient authentication scopes."
    assert error["errors"][0]["reason"] == "insufficientPermissions"
    assert error["details"][0]["reason"] == "ACCESS_TOKEN_SCOPE_INSUFFICIENT"
    assert error["details"][0]["metadata"] == {"service": "calendar-json.googleapis.com",
                                               "method": "calendar.v3.Events.List"}  # fmt: skip


def test_config_lists_are_lists(fake):
    with pytest.raises(ValueError, match="takes a list"):
        fake.configure(disabled_apis="calendar")
