"""Entries and the entry feed: file formats, parsing, the chunked ingest, bulk writes."""
