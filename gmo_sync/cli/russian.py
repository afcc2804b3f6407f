"""Click's own words in Russian: «Использование:», the help option, usage errors.

Click marks every string it prints for gettext (``from gettext import gettext as _`` in each of
its modules) but would take the translation from the process's locale — English under cron's C
locale and on most servers, and no Russian catalogue ships with Click anyway. gmo-sync's users
read Russian whatever the locale, so ``install()`` gives those modules a translator of our own
through that very hook, before any command is declared (option help is looked up when declared).
A string not in the table stays as Click wrote it.
"""

from __future__ import annotations

import importlib

# Click's message → ours. Placeholders are Click's names; ours may drop its !r (we quote «»).
MESSAGES = {
    "Usage:": "Использование:",
    "Options": "Параметры",
    "Commands": "Команды",
    "Positional arguments": "Аргументы",
    "Show this message and exit.": "Показать эту справку и выйти.",
    "Show the version and exit.": "Показать версию и выйти.",
    "%(prog)s, version %(version)s": "%(prog)s, версия %(version)s",
    "Error: {message}": "Ошибка: {message}",
    "Try '{command} {option}' for help.": "Справка: {command} {option}",
    "No such command {name!r}.": "Нет такой команды «{name}».",
    "No such option {name!r}.": "Нет такого параметра «{name}».",
    "Missing command.": "Не указана команда.",
    "Missing argument": "Не указан аргумент",
    "Missing option": "Не указан параметр",
    "Missing parameter": "Не указан параметр",
    "Missing {param_type}": "Не указан {param_type}",
    "Missing parameter: {param_name}": "Не указан параметр: {param_name}",
    "Invalid value: {message}": "Неверное значение: {message}",
    "Invalid value for {param_hint}: {message}": "Неверное значение {param_hint}: {message}",
    "Option {name!r} does not take a value.": "Параметр «{name}» не принимает значения.",
    "Aborted!": "Прервано.",
    "default: {default}": "по умолчанию: {default}",
    "env var: {var}": "переменная окружения: {var}",
    "(dynamic)": "(вычисляется)",
    "deprecated": "устарело",
    "file": "файл",
    "directory": "папка",
    "path": "путь",
    "{name} {filename!r} does not exist.": "{name} «{filename}» не существует.",
    "{name} {filename!r} is a file.": "{name} «{filename}» — это файл, а нужна папка.",
    "{name} {filename!r} is a directory.": "{name} «{filename}» — это папка, а нужен файл.",
    "{name} {filename!r} is not readable.": "{name} «{filename}» не читается (нет прав).",
    "{name} {filename!r} is not writable.": "{name} «{filename}» недоступен для записи.",
    "Could not open file {filename!r}: {message}": "Не удалось открыть файл «{filename}»: {message}",
}
# (singular, plural) → (one, few, many): Russian has three forms
PLURALS = {
    ("Got unexpected extra argument ({args})", "Got unexpected extra arguments ({args})"): (
        "Лишний аргумент ({args})", "Лишние аргументы ({args})", "Лишние аргументы ({args})"),
    ("Option {name!r} requires an argument.", "Option {name!r} requires {nargs} arguments."): (
        "Параметру «{name}» нужно значение.", "Параметру «{name}» нужны {nargs} значения.",
        "Параметру «{name}» нужно {nargs} значений."),
    ("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)"): (
        "Может быть, {possibility}?", "(Может быть, одно из: {possibilities}?)",
        "(Может быть, одно из: {possibilities}?)"),
}  # fmt: skip
# the metavars of usage lines, Click's English defaults
OPTIONS_METAVAR = "[ПАРАМЕТРЫ]"
SUBCOMMAND_METAVAR = "КОМАНДА [АРГУМЕНТЫ]..."

CLICK_MODULES = ("core", "decorators", "exceptions", "formatting", "parser", "types", "termui", "utils")


def gettext(message: str) -> str:
    return MESSAGES.get(message, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    forms = PLURALS.get((singular, plural))
    if forms is None:
        return singular if n == 1 else plural
    if n % 10 == 1 and n % 100 != 11:
        return forms[0]
    return forms[1] if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14 else forms[2]


def localize(command: object) -> None:
    """Russian usage metavars for ``command`` and every command under it (added from any module)."""
    if getattr(command, "options_metavar", None) == "[OPTIONS]":
        command.options_metavar = OPTIONS_METAVAR  # type: ignore[attr-defined]
    if getattr(command, "subcommand_metavar", None) == "COMMAND [ARGS]...":
        command.subcommand_metavar = SUBCOMMAND_METAVAR  # type: ignore[attr-defined]
    for sub in (getattr(command, "commands", None) or {}).values():
        localize(sub)


def install() -> None:
    """Give Click's modules our translator (idempotent)."""
    for name in CLICK_MODULES:
        module = importlib.import_module(f"click.{name}")
        if hasattr(module, "_"):
            module._ = gettext  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext  # type: ignore[attr-defined]
