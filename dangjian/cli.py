"""The `dangjian` console command: Django's manage.py with our settings and a data folder."""

import os
import sys


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
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings")
    from django.core.management import execute_from_command_line

    argv[0] = "dangjian"
    if len(argv) > 2 and argv[1] in ("import", "export", "dues", "survey") and not argv[2].startswith("-"):
        # `dangjian import members FILE` → the `import_members` command.
        argv[1:3] = [f"{argv[1]}_{argv[2]}"]
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
