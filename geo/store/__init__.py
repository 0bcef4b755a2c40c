"""The analysis store: analyse each article once, keep it, merge across articles from it."""

from geo.store.db import DEFAULT_STORE_PATH, AnalysisStore, StoreError, store_path_from_env

__all__ = ["DEFAULT_STORE_PATH", "AnalysisStore", "StoreError", "store_path_from_env"]
