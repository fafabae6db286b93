"""Importer accounts: their Center (mix, reassignment), their people, their notices."""
