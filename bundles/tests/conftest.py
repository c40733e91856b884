"""Bundles' tests store files in a folder of their own (the documents storage under tmp_path), as documents' do."""

from documents.tests.conftest import documents_storage

__all__ = ["documents_storage"]
