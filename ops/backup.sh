#!/usr/bin/env bash
# Back up the database and the case documents into one new folder (docs/operations.md, "Backups").
#   DATABASE_URL=postgres://... DOCUMENTS_ROOT=/srv/cee/documents ops/backup.sh /backups/2026-12-01
# The database first, then the documents: a document stored between the two is in the archive but
# not in the dump (harmless: an unreferenced file), never the other way round (a row without its file).
set -euo pipefail
dest=${1:?usage: ops/backup.sh DEST_DIR}
: "${DATABASE_URL:?DATABASE_URL names the database to back up}"
: "${DOCUMENTS_ROOT:?DOCUMENTS_ROOT names the document storage folder}"
mkdir -p "$dest"
# Custom format: compressed, restorable table by table, in parallel (pg_restore -j). One consistent
# snapshot (a single transaction); the site keeps running.
pg_dump --format=custom --no-owner --no-privileges --file "$dest/database.dump" "$DATABASE_URL"
tar -C "$DOCUMENTS_ROOT" -czf "$dest/documents.tar.gz" .
(cd "$dest" && sha256sum database.dump documents.tar.gz > SHA256SUMS)
echo "backed up to $dest"
