"""The `dangjian` console command: Django's manage.py with our settings and a data folder."""

import os
import sys

# `dangjian import members FILE` → the `import_members` command (and so on for these words).
COMMAND_WORDS = ("import", "export", "dues", "survey")
HELP_WORDS = ("-h", "--help", "help")


def _spoken(name: str) -> str:
    """How a user types a command: `import_members` is written `import members`."""
    word, _, rest = name.partition("_")
    return f"{word} {rest}" if word in COMMAND_WORDS and rest else name


def print_help(out=sys.stdout) -> None:
    """Our own commands first, in Chinese, one line each; Django's own after them, by name."""
    from django.core.management import get_commands, load_command_class

    ours, django_own = [], []
    for name, app in sorted(get_commands().items()):
        if app.startswith("dangjian"):
            ours.append((_spoken(name), load_command_class(app, name).help.split("\n")[0]))
        else:
            django_own.append(name)
    width = max(len(n) for n, _ in ours) + 2
    out.write("用法：dangjian <命令> [选项]        dangjian <命令> --help 查看该命令的选项\n\n党建工作台的命令：\n")
    for name, text in ours:
        out.write(f"  {name:<{width}}{text}\n")
    out.write("\n通用选项：--data-dir DIR  数据目录（也可用环境变量 DANGJIAN_DATA_DIR；默认为当前用户的数据目录）\n")
    out.write("\nDjango 自带的命令（供管理员使用）：\n  " + " ".join(django_own) + "\n")


def _add_data_dir_option() -> None:
    """Every command's --help lists --data-dir, which main() takes off the line before Django sees it."""
    from django.core.management.base import BaseCommand

    create_parser = BaseCommand.create_parser

    def with_data_dir(self, prog_name, subcommand, **kwargs):
        parser = create_parser(self, prog_name, subcommand, **kwargs)
        parser.add_argument("--data-dir", metavar="DIR",
                            help="数据目录（也可用环境变量 DANGJIAN_DATA_DIR；默认为当前用户的数据目录）")
        return parser

    BaseCommand.create_parser = with_data_dir


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    # `--data-dir DIR` anywhere on the line chooses the data folder before settings load.
    for i, arg in enumerate(argv):
        if arg == "--data-dir" and i + 1 < len(argv):
            os.environ["DANGJIAN_DATA_DIR"] = argv[i + 1]
            del argv[i : i + 2]
            break
        if arg.startswith("--data-dir="):
            os.environ["DANGJIAN_DATA_DIR"] = arg.split("=", 1)[1]
            del argv[i]
            break
    if len(argv) < 2 or any(a in HELP_WORDS for a in argv[1:]):
        # Asking for help writes nothing: no data folder, no keys (see settings.HELP_ONLY).
        os.environ["DANGJIAN_HELP_ONLY"] = "1"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings")
    from django.core.management import execute_from_command_line

    argv[0] = "dangjian"
    if len(argv) > 2 and argv[1] in COMMAND_WORDS and not argv[2].startswith("-"):
        argv[1:3] = [f"{argv[1]}_{argv[2]}"]
    if len(argv) < 2 or argv[1] in HELP_WORDS:
        import django

        django.setup()
        print_help()
        return
    _add_data_dir_option()
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
