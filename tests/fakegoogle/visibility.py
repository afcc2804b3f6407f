"""What ``drive.file`` can see: per OAuth client, only the Drive files that client created or was opened with.

With only the ``drive.file`` scope (no ``drive``/``drive.readonly``), Drive answers a file this OAuth client
did not create — and the user never opened with it (Picker, «Открыть с помощью») — with 404 ``notFound``,
exactly as for a file that does not exist, and leaves it out of ``files.list``. A template Doc a coordinator
made by hand, a folder made in the browser, or files another Cloud project's client made are invisible.
The Sheets API is not restricted this way: the ``spreadsheets`` scope reaches every sheet the user can open.

Files remember the clients that may see them (``_clients``: the creator's client, and every client
``open_with`` names); files made by coordinator actions (a person in the browser) have none. A token whose
scopes nobody stated, or one with full Drive scopes, sees everything — as does everyone when config
``per_client_visibility`` is off. Control: ``fake.open_with(file_id, client_id)`` /
``POST /_fake/visibility {"open_with": {"file_id": ..., "client_id": ...}}``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .auth import Principal
from .core import Call, Dispatcher
from .drive import Drive
from .errors import not_found
from .workspace import Workspace

FULL_DRIVE = frozenset({"https://www.googleapis.com/auth/drive", "https://www.googleapis.com/auth/drive.readonly"})
BY_FILE_ID = ("get", "update", "copy", "export", "delete")  # drive.files.<method> with a fileId to check
CREATING = ("drive.files.create", "drive.files.copy", "sheets.spreadsheets.create", "docs.documents.create")


class Visibility:
    def __init__(self, ws: Workspace) -> None:
        self.ws = ws

    def sees(self, principal: Principal, file: dict[str, Any]) -> bool:
        if not self.ws.config.per_client_visibility or principal.scopes is None:
            return True
        if principal.scopes & FULL_DRIVE:
            return True
        return principal.client in file.get("_clients", ())

    def open_with(self, file_id: str, client_id: str) -> None:
        """The user opened the file with this client (Picker, «Открыть с помощью»): it sees it from now on."""
        file = self.ws.files.get(file_id)
        if file is None:
            raise ValueError(f"no Drive file {file_id}")
        file["_clients"] = sorted({*file.get("_clients", ()), client_id})

    def install(self, d: Dispatcher, drive: Drive) -> None:
        """Wrap the handlers: 404 for invisible files and parents, creators stamped on new files."""
        for method in BY_FILE_ID:
            self._wrap(d, f"drive.files.{method}", self._file_id_check)
        self._wrap(d, "drive.comments.list", self._file_id_check)
        for method_id in CREATING:
            self._wrap(d, method_id, self._parents_check, stamp=True)
        self._wrap(d, "drive.files.update", self._add_parents_check)
        self._with_capabilities(d)
        drive.visible = self.sees  # files.list leaves out what the caller cannot see

    def _wrap(self, d: Dispatcher, method_id: str, check: Callable[[Call], None], stamp: bool = False):
        inner = d.handlers.get(method_id)
        if inner is None:
            return

        def handler(call: Call) -> Any:
            check(call)
            before = set(self.ws.files) if stamp else set()
            result = inner(call)
            if stamp:
                for file_id in set(self.ws.files) - before:  # made by this call: its client sees it
                    self.ws.files[file_id]["_clients"] = [call.principal.client]
            return result

        d.handlers[method_id] = handler

    def _with_capabilities(self, d: Dispatcher) -> None:
        """files.get answers what the caller may do with the file; sharing is not modelled, so a file the
        caller sees is one it may edit (and, a folder, add to)."""
        inner = d.handlers["drive.files.get"]

        def handler(call: Call) -> Any:
            result = inner(call)
            if isinstance(result, dict) and "fields" in call.query:
                file = self.ws.files[call.path_params["fileId"]]
                folder = file["mimeType"] == "application/vnd.google-apps.folder"
                result.setdefault("capabilities", {"canEdit": True, "canAddChildren": folder,
                                                   "canDownload": True, "canTrash": True})  # fmt: skip
            return result

        d.handlers["drive.files.get"] = handler

    def _visible_or_404(self, call: Call, file_id: str, location: str) -> None:
        file = self.ws.files.get(file_id)
        if file is not None and not self.sees(call.principal, file):
            raise not_found(f"File not found: {file_id}.", location=location)

    def _file_id_check(self, call: Call) -> None:
        self._visible_or_404(call, call.path_params.get("fileId", ""), "fileId")

    def _parents_check(self, call: Call) -> None:
        for parent in (call.body or {}).get("parents") or []:
            self._visible_or_404(call, parent, "parents")

    def _add_parents_check(self, call: Call) -> None:
        for parent in filter(None, str(call.query.get("addParents", "")).split(",")):
            self._visible_or_404(call, parent, "addParents")
