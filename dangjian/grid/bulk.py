"""Moved to dangjian.lib.bulk (the self-study import uses it too); kept for the grid's imports."""

from dangjian.lib.bulk import copy_to_history, insert_rows, insert_tuples, select_in, table

__all__ = ["copy_to_history", "insert_rows", "insert_tuples", "select_in", "table"]
