"""Every kind of rejection the fake promises, in Google's error shape, plus the token endpoint."""

from __future__ import annotations

import pytest
from googleapiclient.errors import HttpError

from . import clients


@pytest.fixture
def session(fake, user_creds):
    """A raw authorized session: real clients refuse to send most malformed requests themselves."""
    return clients.RewritingSession(user_creds, fake.base_url, fake.ca_path)


def _error(response, code: int = 400) -> dict:
    assert response.status_code == code, response.text
    error = response.json()["error"]
    assert error["code"] == code and error["message"] and error["status"]
    return error


def test_missing_or_unknown_token_is_401(fake):
    import requests

    url = fake.base_url + "/drive/v3/files"
    for headers in ({}, {"Authorization": "Bearer not-a-token-we-issued"}):
        error = _error(requests.get(url, headers=headers, verify=fake.ca_path), 401)
        assert error["status"] == "UNAUTHENTICATED"
        assert error["errors"][0]["reason"] == "authError"


def test_service_account_gets_token_through_jwt_grant(fake, sa_creds, svc):
    drive = svc("drive", "v3", creds=sa_creds)
    drive.files().create(body={"name": "x"}).execute()
    assert fake.request_log()[-1]["user"] == "gmo-sync@fake-project.iam.gserviceaccount.com"
    assert sa_creds.token.startswith("ya29.fake-")


def test_delegated_service_account_acts_as_subject(fake, sa_info, svc):
    creds = clients.credentials(fake.base_url, "service_account", subject="boss@school.example", **sa_info)
    svc("drive", "v3", creds=creds).files().list().execute()
    assert fake.request_log()[-1]["user"] == "boss@school.example"


def test_revoked_refresh_token_fails_like_an_expired_testing_app(fake, svc):
    import google.auth.exceptions

    fake.dispatcher.auth.revoked_refresh_tokens.add("dead-token")
    creds = clients.credentials(
        fake.base_url, "user", **clients.authorized_user_info(fake.base_url, "dead-token")
    )
    with pytest.raises(google.auth.exceptions.RefreshError, match="invalid_grant"):
        svc("drive", "v3", creds=creds).files().list().execute()


def test_unknown_path_and_wrong_http_method(session, fake):
    error = _error(session.get(fake.base_url + "/drive/v3/nonsense"))
    assert error["status"] == "INVALID_ARGUMENT" and error["errors"][0]["reason"] == "badRequest"
    assert "Unknown API path" in error["message"]
    assert "not allowed" in _error(session.put(fake.base_url + "/drive/v3/files/abc"))["message"]


def test_undeclared_query_parameter(session, fake):
    error = _error(session.get(fake.base_url + "/drive/v3/files", params={"pageSise": "10"}))
    assert error["errors"][0] == {
        "message": error["message"],
        "domain": "global",
        "reason": "invalid",
        "location": "pageSise",
        "locationType": "parameter",
    }
    # the standard parameters from the document's top level are allowed
    assert (
        session.get(
            fake.base_url + "/drive/v3/files", params={"prettyPrint": "false", "quotaUser": "u"}
        ).status_code
        == 200
    )


def test_wrong_parameter_type_and_enum(session, fake):
    assert (
        "expected an integer"
        in _error(session.get(fake.base_url + "/drive/v3/files", params={"pageSize": "ten"}))["message"]
    )
    assert (
        "true or false"
        in _error(session.get(fake.base_url + "/drive/v3/files", params={"supportsAllDrives": "yes"}))[
            "message"
        ]
    )
    book = fake.act({"action": "create_spreadsheet", "title": "t"})
    url = f"{fake.base_url}/v4/spreadsheets/{book}/values/A1"
    assert "not one of" in _error(session.get(url, params={"valueRenderOption": "PRETTY"}))["message"]
    assert (
        "below 1"
        in _error(
            session.get(fake.base_url + "/calendar/v3/calendars/primary/events", params={"maxResults": "0"})
        )["message"]
    )


def test_repeated_only_when_declared(session, fake):
    error = _error(session.get(fake.base_url + "/drive/v3/files", params=[("q", "a"), ("q", "b")]))
    assert "not repeated" in error["message"]


def test_required_query_parameter(session, fake):
    error = _error(session.get(fake.base_url + "/drive/v3/files/abc/export"))
    assert error["errors"][0]["reason"] == "required"


def test_unknown_body_fields_are_rejected_recursively(fake, svc):
    drive = svc("drive", "v3")
    with pytest.raises(HttpError) as top:
        drive.files().create(body={"name": "x", "colour": "red"}).execute()
    assert top.value.status_code == 400 and 'Unknown name "colour"' in str(top.value)
    sheets = svc("sheets", "v4")
    book = fake.act({"action": "create_spreadsheet", "title": "t"})
    nested = {"requests": [{"addSheet": {"properties": {"title": "x", "gridProperties": {"rowCont": 5}}}}]}
    with pytest.raises(HttpError, match="rowCont"):
        sheets.spreadsheets().batchUpdate(spreadsheetId=book, body=nested).execute()
    calendar = svc("calendar", "v3")
    event = {
        "start": {"date": "2026-01-01"},
        "end": {"date": "2026-01-02"},
        "extendedProperties": {"private": {"free-form": "ok"}},
        "attendees": [{"emial": "a@b.c"}],
    }
    with pytest.raises(HttpError, match="emial"):  # inside an array of $ref'd objects
        calendar.events().insert(calendarId="primary", body=event).execute()
    del event["attendees"]  # additionalProperties keys are free-form
    assert calendar.events().insert(calendarId="primary", body=event).execute()["status"] == "confirmed"


def test_wrong_body_types(fake, svc):
    drive = svc("drive", "v3")
    with pytest.raises(HttpError, match="expected array"):
        drive.files().create(body={"name": "x", "parents": "root"}).execute()
    with pytest.raises(HttpError, match="expected string"):
        drive.files().create(body={"name": 5}).execute()
    sheets = svc("sheets", "v4")
    bad_enum = {"properties": {"title": "t"}, "sheets": [{"properties": {"sheetType": "SLIDES"}}]}
    with pytest.raises(HttpError, match="SLIDES"):
        sheets.spreadsheets().create(body=bad_enum).execute()


def test_invalid_fields_selection(session, fake):
    error = _error(session.get(fake.base_url + "/drive/v3/files", params={"fields": "files(id,colour)"}))
    assert "Invalid field selection colour" in error["message"]


def test_invalid_json_body(session, fake):
    response = session.post(
        fake.base_url + "/drive/v3/files", data=b"{nope", headers={"Content-Type": "application/json"}
    )
    assert "Invalid JSON payload" in _error(response)["message"]


def test_partial_response_and_drive_default_fields(fake, svc):
    drive = svc("drive", "v3")
    created = drive.files().create(body={"name": "x", "appProperties": {"k": "v"}}).execute()
    assert set(created) == {"kind", "id", "name", "mimeType"}  # Drive v3 answers only these by default
    got = drive.files().get(fileId=created["id"], fields="id,appProperties").execute()
    assert got == {"id": created["id"], "appProperties": {"k": "v"}}


def test_expired_tokens_are_refreshed_and_revoked_ones_fail(fake, svc):
    import google.auth.exceptions

    drive = svc("drive", "v3")
    drive.files().list().execute()
    fake.expire_tokens()
    drive.files().list().execute()  # 401, AuthorizedHttp refreshes through /token and retries
    # a client that does not know its token's expiry (AuthorizedHttp built on a token alone) learns from a 401
    assert [(e["api_method"], e["status"]) for e in fake.request_log()] == [
        ("oauth2.token", 200), ("drive.files.list", 200), ("drive.files.list", 401), ("oauth2.token", 200),
        ("drive.files.list", 200),
    ]
    fake.expire_tokens(revoke_refresh_tokens=["fake-refresh-token"])
    with pytest.raises(google.auth.exceptions.RefreshError, match="invalid_grant"):
        drive.files().list().execute()
