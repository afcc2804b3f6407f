"""Drive v3 behaviour: files create/upload/get/list/update/copy/export/delete, Google Docs conversion."""

from __future__ import annotations

import base64
import copy
import hashlib
from collections.abc import Callable
from typing import Any

from . import limits
from .auth import Principal
from .core import Call, Dispatcher, Response
from .docs import DOCX_MIME, docx_text, minimal_docx, minimal_pdf
from .drive_query import parse_query
from .errors import ApiError, bad_request, not_found
from .sheets import SPREADSHEET_MIME, Sheets
from .workspace import Workspace, drive_id

DOC_MIME = "application/vnd.google-apps.document"
FOLDER_MIME = "application/vnd.google-apps.folder"
ROOT_ID = "0AFakeMyDriveRootFolderUk9PVA"
DEFAULT_FIELDS = ("kind", "id", "name", "mimeType")
EXPORTS = {DOC_MIME: {DOCX_MIME, "application/pdf", "text/plain"}}


class Drive:
    def __init__(self, ws: Workspace, sheets: Sheets) -> None:
        self.ws = ws
        self.sheets = sheets
        # which files a caller may see (visibility.py: drive.file's per-client view); everyone sees all here
        self.visible: Callable[[Principal, dict[str, Any]], bool] = lambda principal, file: True

    def register(self, d: Dispatcher) -> None:
        for name, fn in {
            "create": self.create,
            "get": self.get,
            "list": self.list,
            "update": self.update,
            "copy": self.copy,
            "export": self.export,
            "delete": self.delete,
            "emptyTrash": self.empty_trash,
        }.items():
            d.handlers["drive.files." + name] = fn
        d.handlers["drive.comments.list"] = self.comments_list
        d.handlers["drive.about.get"] = self.about_get

    def about_get(self, call: Call) -> dict[str, Any]:
        """Who the caller is (Drive requires ``fields`` here, as the real API does)."""
        if "fields" not in call.query:
            raise bad_request("The 'fields' parameter is required for this method.", reason="required")
        user = call.principal.user
        return {
            "kind": "drive#about",
            "user": {
                "kind": "drive#user",
                "displayName": user.split("@")[0],
                "emailAddress": user,
                "me": True,
            },
        }

    def comments_list(self, call: Call) -> dict[str, Any]:
        """Comments are not modelled; listing answers none (gspread's copy lists them)."""
        self.file(call.path_params["fileId"])
        if "fields" not in call.query:
            raise bad_request("The 'fields' parameter is required for this method.", reason="required")
        return {"kind": "drive#commentList", "comments": []}

    # -- helpers ----------------------------------------------------------------------------------------
    def file(self, file_id: str) -> dict[str, Any]:
        found = self.ws.files.get(file_id)
        if found is None:
            raise not_found(f"File not found: {file_id}.", location="fileId")
        return found

    @staticmethod
    def shape(file: dict[str, Any], call: Call) -> dict[str, Any]:
        """Without ``fields`` Drive v3 answers only kind/id/name/mimeType; the dispatcher applies masks."""
        public = {k: copy.deepcopy(v) for k, v in file.items() if not k.startswith("_")}
        if "fields" in call.query:
            return public
        return {k: public[k] for k in DEFAULT_FIELDS if k in public}

    def _check_storage(self, call: Call, metadata: dict[str, Any]) -> None:
        if call.principal.service_account and self.ws.config.service_account_storage_quota_exceeded:
            raise ApiError(
                403,
                "Service Accounts do not have storage quota. Leverage shared drives, or use "
                "OAuth delegation instead.",
                reason="storageQuotaExceeded",
            )

    def _link(self, file: dict[str, Any]) -> str:
        fid, mime = file["id"], file["mimeType"]
        if mime == DOC_MIME:
            return f"https://docs.google.com/document/d/{fid}/edit?usp=drivesdk"
        if mime == SPREADSHEET_MIME:
            return f"https://docs.google.com/spreadsheets/d/{fid}/edit?usp=drivesdk"
        if mime == FOLDER_MIME:
            return f"https://drive.google.com/drive/folders/{fid}"
        return f"https://drive.google.com/file/d/{fid}/view?usp=drivesdk"

    def _set_content(self, file: dict[str, Any], media: bytes, media_type: str | None) -> None:
        target = file["mimeType"]
        if target == DOC_MIME:
            if media_type == DOCX_MIME:
                docx_text(media)  # reject bytes that are not a readable .docx, like Drive's converter does
                self.ws.contents[file["id"]] = media
            elif media_type and media_type.startswith("text/plain"):
                self.ws.contents[file["id"]] = minimal_docx(media.decode("utf-8").splitlines())
            else:
                raise bad_request(
                    f"fakegoogle converts only .docx and text/plain to Google Docs, not {media_type}."
                )
            file.pop("size", None)
            return
        if target in (SPREADSHEET_MIME, FOLDER_MIME):
            raise bad_request(f"fakegoogle cannot convert {media_type} to {target}.")
        self.ws.contents[file["id"]] = media
        file["size"] = str(len(media))
        file["md5Checksum"] = hashlib.md5(media).hexdigest()

    def _apply_metadata(self, file: dict[str, Any], meta: dict[str, Any]) -> None:
        limits.check_property_sizes(meta)
        limits.check_file_name(meta)
        merged_props: dict[str, dict[str, str]] = {}
        for key in ("appProperties", "properties"):
            if key in meta:
                merged = dict(file.get(key) or {})
                for k, v in (meta[key] or {}).items():
                    if v is None:
                        merged.pop(k, None)  # null deletes a property, as in Drive
                    else:
                        merged[k] = str(v)
                merged_props[key] = merged
        limits.check_property_counts(merged_props)  # before anything changes: a refused update is a no-op
        file.update(merged_props)
        for key in ("name", "description", "starred", "trashed"):
            if key in meta:
                file[key] = meta[key]
        if "trashed" in meta:
            file["explicitlyTrashed"] = bool(meta["trashed"])
        if file["mimeType"] == SPREADSHEET_MIME and "name" in meta and file["id"] in self.ws.spreadsheets:
            self.ws.spreadsheets[file["id"]].properties["title"] = meta["name"]

    def _touch(self, file: dict[str, Any]) -> None:
        file["modifiedTime"] = self.ws.now_iso()
        file["version"] = str(int(file["version"]) + 1)

    # -- methods ----------------------------------------------------------------------------------------
    def new_file(
        self, meta: dict[str, Any], owner: str, media: bytes | None = None, media_type: str | None = None
    ) -> dict[str, Any]:
        limits.check_file_name(meta)
        for parent in meta.get("parents") or []:
            if parent not in ("root", ROOT_ID) and parent not in self.ws.files:
                raise not_found(f"File not found: {parent}.", location="parents")
        now = self.ws.now_iso()
        file: dict[str, Any] = {
            "kind": "drive#file",
            "id": meta.get("id") or drive_id(),
            "name": meta.get("name") or "Untitled",
            "mimeType": meta.get("mimeType") or media_type or "application/octet-stream",
            "parents": [ROOT_ID if p == "root" else p for p in (meta.get("parents") or ["root"])],
            "appProperties": {},
            "properties": {},
            "trashed": False,
            "explicitlyTrashed": False,
            "starred": False,
            "createdTime": now,
            "modifiedTime": now,
            "version": "1",
            "owners": [{"kind": "drive#user", "emailAddress": owner, "me": True}],
        }
        if file["id"] in self.ws.files:
            raise ApiError(
                409, f"A file already exists with the provided ID: {file['id']}.", reason="duplicate"
            )
        if "description" in meta:
            file["description"] = meta["description"]
        self._apply_metadata(file, {k: v for k, v in meta.items() if k in ("appProperties", "properties")})
        file["webViewLink"] = self._link(file)
        if media is not None:
            self._set_content(file, media, media_type)
        elif file["mimeType"] == SPREADSHEET_MIME:
            self.sheets.new_book({"properties": {"title": file["name"]}}, file["id"])
        elif file["mimeType"] == DOC_MIME:
            self.ws.contents[file["id"]] = minimal_docx([])
        self.ws.files[file["id"]] = file
        return file

    def create(self, call: Call) -> dict[str, Any]:
        meta = call.body or {}
        self._check_storage(call, meta)
        return self.shape(self.new_file(meta, call.principal.user, call.media, call.media_type), call)

    def get(self, call: Call) -> Any:
        file = self.file(call.path_params["fileId"])
        if call.query.get("alt") == "media":
            if file["mimeType"].startswith("application/vnd.google-apps."):
                raise ApiError(
                    403,
                    "Only files with binary content can be downloaded. Use Export with Docs Editors files.",
                    reason="fileNotDownloadable",
                    location="alt",
                )
            return Response(200, self.ws.contents.get(file["id"], b""), content_type=file["mimeType"])
        return self.shape(file, call)

    def list(self, call: Call) -> dict[str, Any]:
        files = [f for f in self.ws.files.values() if self.visible(call.principal, f)]
        if "q" in call.query:
            predicate = parse_query(call.query["q"], ROOT_ID)
            files = [f for f in files if predicate(f)]
        for key in reversed([k.strip() for k in call.query.get("orderBy", "").split(",") if k.strip()]):
            name, _, direction = key.partition(" ")
            if name not in ("name", "createdTime", "modifiedTime", "folder"):
                raise bad_request(f"Invalid Value: orderBy={key}", reason="invalid")
            files.sort(key=lambda f, n=name: str(f.get(n, "")), reverse=direction == "desc")
        size = call.query.get("pageSize", 100)
        if not 1 <= size <= 1000:
            raise bad_request(f"Invalid value for pageSize: {size}", reason="invalid")
        start = (
            int(base64.urlsafe_b64decode(call.query["pageToken"]).decode())
            if "pageToken" in call.query
            else 0
        )
        page = files[start : start + size]
        out: dict[str, Any] = {
            "kind": "drive#fileList",
            "incompleteSearch": False,
            "files": [
                self.shape(f, call) if "fields" in call.query else {k: f[k] for k in DEFAULT_FIELDS}
                for f in page
            ],
        }
        if start + size < len(files):
            out["nextPageToken"] = base64.urlsafe_b64encode(str(start + size).encode()).decode()
        return out

    def update(self, call: Call) -> dict[str, Any]:
        file = self.file(call.path_params["fileId"])
        meta = call.body or {}
        if "mimeType" in meta and meta["mimeType"] != file["mimeType"]:
            raise bad_request("fakegoogle: changing a file's mimeType on update is not modelled.")
        self._apply_metadata(file, meta)
        parents = list(file.get("parents", []))
        for pid in filter(None, call.query.get("removeParents", "").split(",")):
            parents = [p for p in parents if p != pid]
        for pid in filter(None, call.query.get("addParents", "").split(",")):
            if pid not in self.ws.files:
                raise not_found(f"File not found: {pid}.", location="addParents")
            parents.append(pid)
        file["parents"] = parents
        if call.media is not None:
            self._set_content(file, call.media, call.media_type)
        self._touch(file)
        return self.shape(file, call)

    def copy(self, call: Call) -> dict[str, Any]:
        source = self.file(call.path_params["fileId"])
        meta = call.body or {}
        self._check_storage(call, meta)
        new_meta = {
            "name": meta.get("name") or f"Copy of {source['name']}",
            "mimeType": source["mimeType"],
            "parents": meta.get("parents") or source["parents"],
            "appProperties": meta.get("appProperties"),
            "properties": meta.get("properties"),
            "description": meta.get("description"),
        }
        new_meta = {k: v for k, v in new_meta.items() if v is not None}
        if source["mimeType"] == SPREADSHEET_MIME:
            file = self.new_file(
                {**new_meta, "mimeType": "application/x-fake-placeholder"}, call.principal.user
            )
            file["mimeType"] = SPREADSHEET_MIME
            file["webViewLink"] = self._link(file)
            book = copy.deepcopy(self.ws.spreadsheets[source["id"]])
            book.id = file["id"]
            book.properties["title"] = file["name"]
            self.ws.spreadsheets[file["id"]] = book
        else:
            content = self.ws.contents.get(source["id"])
            file = self.new_file(new_meta, call.principal.user)
            if content is not None:
                self.ws.contents[file["id"]] = content
                if "size" in source:
                    file["size"], file["md5Checksum"] = source["size"], source.get("md5Checksum")
        return self.shape(file, call)

    def export(self, call: Call) -> Response:
        file = self.file(call.path_params["fileId"])
        target = call.query["mimeType"]
        allowed = EXPORTS.get(file["mimeType"])
        if allowed is None:
            raise ApiError(403, "Export only supports Docs Editors files.", reason="fileNotExportable")
        if target not in allowed:
            raise bad_request(f"The requested conversion is not supported: {target}.", reason="badRequest")
        docx = self.ws.contents.get(file["id"], minimal_docx([]))
        if target == DOCX_MIME:
            content = docx
        else:
            text = "\n".join(docx_text(docx))
            content = ("\ufeff" + text).encode() if target == "text/plain" else minimal_pdf(text)
        limits.check_export_size(content)
        return Response(200, content, content_type=target)

    def delete(self, call: Call) -> Response:
        file = self.file(call.path_params["fileId"])
        self._remove(file["id"])
        return Response(204, None)

    def _remove(self, file_id: str) -> None:
        self.ws.files.pop(file_id, None)
        self.ws.contents.pop(file_id, None)
        self.ws.spreadsheets.pop(file_id, None)

    def empty_trash(self, call: Call) -> Response:
        for fid in [f["id"] for f in self.ws.files.values() if f.get("trashed")]:
            self._remove(fid)
        return Response(204, None)
