"""Click's own strings come out in Russian too: usage lines, the help option, usage errors (exact output)."""

from __future__ import annotations

from click.testing import CliRunner

from gmo_sync import __version__
from gmo_sync.cli.main import cli
from gmo_sync.cli.russian import ngettext


def invoke(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, list(args), prog_name="gmo-sync")


def test_unknown_command() -> None:
    result = invoke("nope")
    assert result.exit_code == 2
    assert result.stderr == (
        "Использование: gmo-sync [ПАРАМЕТРЫ] КОМАНДА [АРГУМЕНТЫ]...\n"
        "Справка: gmo-sync --help\n"
        "\n"
        "Ошибка: Нет такой команды «nope».\n"
    )


def test_unknown_option_with_a_suggestion() -> None:
    result = invoke("sync", "--dry-rn")
    assert result.exit_code == 2
    assert result.stderr == (
        "Использование: gmo-sync sync [ПАРАМЕТРЫ]\n"
        "Справка: gmo-sync sync --help\n"
        "\n"
        "Ошибка: Нет такого параметра «--dry-rn». Может быть, '--dry-run'?\n"
    )


def test_missing_value_and_extra_argument() -> None:
    missing = invoke("protocols", "--meeting")
    assert (missing.exit_code, missing.stderr) == (2, "Ошибка: Параметру «--meeting» нужно значение.\n")
    extra = invoke("check", "лишнее")
    assert extra.exit_code == 2
    assert extra.stderr.endswith("\nОшибка: Лишний аргумент (лишнее)\n")


def test_missing_command_of_a_group() -> None:
    result = invoke("auth", "logn")
    assert result.exit_code == 2
    assert result.stderr == (
        "Использование: gmo-sync auth [ПАРАМЕТРЫ] КОМАНДА [АРГУМЕНТЫ]...\n"
        "Справка: gmo-sync auth --help\n"
        "\n"
        "Ошибка: Нет такой команды «logn». Может быть, 'login'?\n"
    )


def test_help_is_russian_throughout() -> None:
    result = invoke("sync", "--help")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == "Использование: gmo-sync sync [ПАРАМЕТРЫ]"
    assert "Параметры:" in lines
    assert "  -h, --help     Показать эту справку и выйти." in lines
    assert "  --config ФАЙЛ  Файл настроек (по умолчанию ./gmo-sync.toml)." in lines
    top = invoke("--help").output.splitlines()
    assert top[0] == "Использование: gmo-sync [ПАРАМЕТРЫ] КОМАНДА [АРГУМЕНТЫ]..."
    assert "Команды:" in top and "  --version      Показать версию и выйти." in top
    title = invoke("init", "--help").output
    assert "--title НАЗВАНИЕ" in title and "[по умолчанию: ГМО библиотекарей]" in title


def test_no_english_left_in_any_help() -> None:
    english = ("Usage:", "Options:", "Commands:", "Show this message", "[OPTIONS]", "COMMAND", "TEXT", "PATH")
    paths = (
        [[]]
        + [[name] for name in cli.commands]
        + [[name, sub] for name, group in cli.commands.items() for sub in getattr(group, "commands", {})]
    )
    assert ["report", "decisions"] in paths and ["auth", "login"] in paths
    for path in paths:
        output = invoke(*path, "--help").output
        assert output.startswith("Использование: gmo-sync"), path
        assert not [word for word in english if word in output], path


def test_version() -> None:
    result = invoke("--version")
    assert (result.exit_code, result.output) == (0, f"gmo-sync, версия {__version__}\n")


def test_plural_forms() -> None:
    forms = ("Option {name!r} requires an argument.", "Option {name!r} requires {nargs} arguments.")
    assert [ngettext(*forms, n).format(name="-x", nargs=n) for n in (1, 2, 5, 11, 21, 22)] == [
        "Параметру «-x» нужно значение.",
        "Параметру «-x» нужны 2 значения.",
        "Параметру «-x» нужно 5 значений.",
        "Параметру «-x» нужно 11 значений.",
        "Параметру «-x» нужно значение.",
        "Параметру «-x» нужны 22 значения.",
    ]
