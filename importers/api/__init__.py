"""The importer side of the REST API (/api/v1/): accounts, entries and reference data, read only."""
