"""The second process of a large residents import: `python -m dangjian.grid.readahead`.

It reads its arguments (a pickled dict, the PII key among them) from stdin and starts parsing
the file at once, in a thread (python-calamine releases the GIL), while it imports what the
row checks need; then it sends the prepared batches to stdout as pickled frames, which
register.prepared_in_child reads. Only light modules are imported before the parse starts.
"""

import pickle
import sys


def main() -> None:
    args = pickle.load(sys.stdin.buffer)
    from dangjian.lib.tabular import OpenedInBackground

    opened = OpenedInBackground(args["path"], args["filename"])
    from django.conf import settings

    settings.configure(PII_KEY=args["pii_key"])  # the only setting this process reads
    from dangjian.grid.register import send_batches

    send_batches(opened, args, sys.stdout.buffer)


if __name__ == "__main__":
    main()
