"""Docs v1: documents.get and batchUpdate(replaceAllText) on converted docs."""

from __future__ import annotations

import io

import pytest
from googleapiclient.errors import HttpError
from googleapiclient.http import MediaIoBaseUpload

from .docs import DOCX_MIME, docx_text, minimal_docx


@pytest.fixture
def doc_id(svc):
    media = MediaIoBaseUpload(
        io.BytesIO(minimal_docx(["Протокол {{n}}", "Решили: {{decision}}"])), mimetype=DOCX_MIME
    )
    body = {"name": "Протокол", "mimeType": "application/vnd.google-apps.document"}
    return svc("drive", "v3").files().create(body=body, media_body=media).execute()["id"]


def test_get_and_replace_all_text(svc, doc_id):
    docs = svc("docs", "v1").documents()
    got = docs.get(documentId=doc_id).execute()
    runs = [
        c["paragraph"]["elements"][0]["textRun"]["content"]
        for c in got["body"]["content"]
        if "paragraph" in c
    ]
    assert runs == ["Протокол {{n}}\n", "Решили: {{decision}}\n"]
    assert got["body"]["content"][1]["startIndex"] == 1 and got["title"] == "Протокол"
    done = docs.batchUpdate(
        documentId=doc_id,
        body={
            "requests": [
                {
                    "replaceAllText": {
                        "containsText": {"text": "{{n}}", "matchCase": True},
                        "replaceText": "№ 3",
                    }
                },
                {"replaceAllText": {"containsText": {"text": "{{absent}}"}, "replaceText": "x"}},
            ]
        },
    ).execute()
    assert done["replies"] == [{"replaceAllText": {"occurrencesChanged": 1}}, {"replaceAllText": {}}]
    exported = svc("drive", "v3").files().export(fileId=doc_id, mimeType=DOCX_MIME).execute()
    assert docx_text(exported) == ["Протокол № 3", "Решили: {{decision}}"]


def test_required_revision_and_strict_requests(svc, doc_id):
    docs = svc("docs", "v1").documents()
    rev = docs.get(documentId=doc_id).execute()["revisionId"]
    docs.batchUpdate(
        documentId=doc_id,
        body={"requests": [{"replaceAllText": {"containsText": {"text": "{{n}}"}, "replaceText": "1"}}]},
    ).execute()
    with pytest.raises(HttpError, match="revision"):
        docs.batchUpdate(
            documentId=doc_id,
            body={
                "writeControl": {"requiredRevisionId": rev},
                "requests": [{"replaceAllText": {"containsText": {"text": "1"}, "replaceText": "2"}}],
            },
        ).execute()
    with pytest.raises(HttpError, match="replaceTxt"):
        docs.batchUpdate(
            documentId=doc_id,
            body={"requests": [{"replaceAllText": {"containsText": {"text": "1"}, "replaceTxt": "2"}}]},
        ).execute()
    with pytest.raises(HttpError) as err:
        docs.get(documentId="missing").execute()
    assert err.value.status_code == 404
