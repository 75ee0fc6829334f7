"""Loaded by pytest first (`-p dangjian.testenv`): tests use a throwaway data folder."""

import os
import tempfile

os.environ.setdefault("DANGJIAN_DATA_DIR", tempfile.mkdtemp(prefix="dangjian-test-"))
os.environ.setdefault("AXES_ENABLED", "False")
os.environ.setdefault("DANGJIAN_TEST_FAST_HASHER", "True")
