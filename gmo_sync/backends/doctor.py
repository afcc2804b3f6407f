"""``gmo-sync doctor``: every check for the configured backend, in the order a person would fix them."""

from __future__ import annotations

from pathlib import Path

from gmo_sync.core.clock import Clock, local_now
from gmo_sync.core.config import CONFIG_NAME, Config, load_config
from gmo_sync.core.doctor import Check, fail, ok
from gmo_sync.core.problems import ConfigError


def diagnose(config_path: Path | None, clock: Clock) -> list[Check]:
    try:
        config = load_config(config_path)
    except ConfigError as error:
        details = "; ".join([str(error), *error.problems])
        return [fail("Настройки", details, "исправьте файл настроек (все ошибки перечислены)")]
    if config.path is None:
        return [fail("Настройки", f"нет {CONFIG_NAME} в {config.root}",
                     "перейдите в рабочую папку или создайте её: gmo-sync init --local ПАПКА / "
                     "gmo-sync init --google")]  # fmt: skip
    now = local_now(clock, config.zone)
    checks = [ok("Настройки", f"{config.path} (backend = {config.backend})")]
    checks += _common(config)
    if config.backend == "google":
        from gmo_sync.backends.google import state_file
        from gmo_sync.backends.google.doctor import google_checks, state_folder_check

        checks.append(state_folder_check(state_file(config).parent))
        checks += google_checks(config, now)
    else:
        from gmo_sync.backends.local.doctor import local_checks

        checks.append(ok("Часовой пояс", f"{config.timezone}, сейчас {now:%d.%m.%Y %H:%M}"))
        checks += local_checks(config, now.date())
    from gmo_sync.backends.mail.doctor import mail_checks

    checks += mail_checks(config)
    return checks


def _common(config: Config) -> list[Check]:
    from gmo_sync.backends.local.doctor import writable_folder

    checks = [writable_folder("Папка блокировки", "расположение gmo-sync.toml", config.root)]
    if config.log_file:
        log_folder = config.resolve(config.log_file).parent
        checks.append(writable_folder("Журнал (log_file)", "log_file", log_folder))
    return checks
