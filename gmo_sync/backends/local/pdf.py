"""PDF copies of local protocols, made by LibreOffice when it is installed.

LibreOffice runs headless with a throw-away profile, so it neither clashes with a
LibreOffice the user has open nor leaves settings behind; its output is moved into
place atomically beside the .docx.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from gmo_sync.core.problems import BackendError

CANDIDATES = ("soffice", "libreoffice")
TIMEOUT = 180  # seconds; the first start of LibreOffice on a cold machine is slow


def find_office() -> str | None:
    return next((found for name in CANDIDATES if (found := shutil.which(name))), None)


def pdf_is_current(docx: Path) -> bool:
    pdf = docx.with_suffix(".pdf")
    return pdf.exists() and pdf.stat().st_mtime_ns >= docx.stat().st_mtime_ns


def convert_to_pdf(docx: Path) -> Path:
    office = find_office()
    if office is None:
        raise BackendError(
            "PDF не создан: не найден LibreOffice (soffice). Установите его (например, "
            "sudo apt install libreoffice-writer) или откройте .docx и сохраните как PDF вручную."
        )
    with tempfile.TemporaryDirectory(prefix="gmo-sync-pdf-") as work:
        profile = Path(work, "profile").as_uri()
        command = [office, "--headless", "--norestore", f"-env:UserInstallation={profile}",
                   "--convert-to", "pdf", "--outdir", work, str(docx)]  # fmt: skip
        try:
            subprocess.run(command, check=True, capture_output=True, timeout=TIMEOUT)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as error:
            reason = f"LibreOffice завершился с ошибкой ({type(error).__name__})"
            raise BackendError(f"PDF для «{docx.name}» не создан: {reason}.") from None
        produced = Path(work, docx.with_suffix(".pdf").name)
        if not produced.exists():
            raise BackendError(f"PDF для «{docx.name}» не создан: LibreOffice не выдал файл.")
        target = docx.with_suffix(".pdf")
        staged = target.with_name(f".{target.name}.tmp")
        shutil.copyfile(produced, staged)
        os.replace(staged, target)
    return target
