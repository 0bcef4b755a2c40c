"""Errors that stop a run, each with a message for the user (the command line prints it)."""


class RunError(Exception):
    """A run cannot go on: its message says what to do."""


class StoreError(RunError):
    """The analysis store cannot be opened or read (locked, corrupt, another schema)."""


class ClusterError(RunError):
    """The Dask cluster could not be reached or started."""
