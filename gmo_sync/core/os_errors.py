"""Operating-system errors as sentences a coordinator can act on: which path, what is wrong, what to do.

Python's own text («[Errno 13] Permission denied: '/srv/gmo/protocols/.x.tmp'») names a temporary
file and says nothing about the fix. Here the error is told by its errno, about the path the person
configured (the folder, the workbook), in Russian.
"""

from __future__ import annotations

import errno
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from gmo_sync.core.problems import StepError

# errno → (what is wrong, what to do); {path} is the path the message is about
_EXPLAINED: dict[int, tuple[str, str]] = {
    errno.ENOENT: ("такого пути нет", "проверьте путь в gmo-sync.toml или создайте недостающее"),
    errno.EACCES: (
        "нет прав доступа",
        "дайте права на чтение и запись пользователю, от имени которого работает gmo-sync "
        "(например, chmod u+rwX «{path}»)",
    ),
    errno.EPERM: ("операция не разрешена", "проверьте права и владельца: ls -ld «{path}»"),
    errno.ENOTDIR: (
        "в пути есть файл там, где должна быть папка",
        "переименуйте или уберите этот файл, чтобы на его месте могла быть папка",
    ),
    errno.EEXIST: (
        "на месте папки лежит файл",
        "переименуйте или уберите этот файл, чтобы на его месте могла быть папка",
    ),
    errno.EISDIR: ("это папка, а ожидается файл", "укажите в gmo-sync.toml путь к файлу"),
    errno.ENOSPC: ("на диске нет места", "освободите место на диске и запустите снова"),
    errno.EDQUOT: ("исчерпана дисковая квота", "освободите место или попросите увеличить квоту"),
    errno.EROFS: (
        "файловая система доступна только для чтения",
        "перенесите рабочую папку на диск, доступный для записи, или смонтируйте его для записи",
    ),
    errno.EIO: ("ошибка ввода-вывода (неисправен диск или носитель)", "проверьте диск и скопируйте данные"),
    errno.ENAMETOOLONG: ("слишком длинное имя файла", "сократите путь или название"),
    errno.EMFILE: (
        "открыто слишком много файлов",
        "запустите снова; если повторится, сообщите разработчикам",
    ),
    errno.EBUSY: (
        "файл занят другой программой",
        "закройте программу, которая его держит, и запустите снова",
    ),
}


def describe_os_error(error: OSError, path: Path | str, what: str) -> str:
    """«Папка протоколов /srv/gmo/protocols: нет прав доступа. Что делать: …».

    ``what`` names the thing in the coordinator's terms («Папка протоколов», «Таблица», «Календарь»);
    ``path`` is the configured path, not the temporary file the error may have been about.
    """
    explained = _EXPLAINED.get(error.errno or 0)
    if error.errno in (errno.EACCES, errno.EPERM) and _beside(error.filename, path):
        # a temporary file beside the target: the folder refuses new files, chmod on the file won't help
        folder = Path(path).parent
        return (f"{what} {path}: нет прав на запись в папку {folder}. Что делать: дайте права на запись "
                f"в неё пользователю, от имени которого работает gmo-sync (например, "
                f"chmod u+rwx «{folder}»).")  # fmt: skip
    if explained is None:
        reason = error.strerror or type(error).__name__
        return f"{what} {path}: ошибка файловой системы ({reason}). Проверьте путь и права доступа."
    reason, action = explained
    return f"{what} {path}: {reason}. Что делать: {action.format(path=path)}."


@contextmanager
def step_errors(path: Path | str, what: str) -> Iterator[None]:
    """OS errors inside become a ``StepError`` about ``path``: its step stops, the others go on."""
    try:
        yield
    except OSError as error:
        raise StepError(describe_os_error(error, path, what)) from None


def ensure_folder(path: Path, what: str) -> None:
    """Create ``path`` if missing; a file in its place or an unwritable parent stops the step."""
    if path.exists() and not path.is_dir():
        raise StepError(
            f"{what} {path}: это файл, а не папка. Что делать: переименуйте или уберите файл «{path.name}» "
            f"(gmo-sync создаст папку сам) или укажите другую папку в gmo-sync.toml."
        )
    with step_errors(path, what):
        path.mkdir(parents=True, exist_ok=True)


def _beside(filename: object, path: Path | str) -> bool:
    if not isinstance(filename, str | Path):
        return False
    other = Path(filename)
    return other != Path(path) and other.parent == Path(path).parent
