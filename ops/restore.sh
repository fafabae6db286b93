#!/usr/bin/env bash
# Restore a backup made by ops/backup.sh into an EMPTY database and an empty documents folder, then
# check every document against the SHA-256 its row stores (docs/operations.md, "Restore").
#   createdb cee_portal_restored
#   DATABASE_URL=postgres://.../cee_portal_restored DOCUMENTS_ROOT=/srv/cee/documents-restored \
#     ops/restore.sh /backups/2026-12-01
set -euo pipefail
src=${1:?usage: ops/restore.sh SRC_DIR}
: "${DATABASE_URL:?DATABASE_URL names the empty database to restore into}"
: "${DOCUMENTS_ROOT:?DOCUMENTS_ROOT names the folder to restore the documents into}"
(cd "$src" && sha256sum --check --quiet SHA256SUMS)
pg_restore --no-owner --no-privileges --exit-on-error --dbname "$DATABASE_URL" "$src/database.dump"
mkdir -p "$DOCUMENTS_ROOT"
tar -C "$DOCUMENTS_ROOT" -xzf "$src/documents.tar.gz"
python=${PYTHON:-$(dirname "$0")/../.venv/bin/python}
"$python" "$(dirname "$0")/../manage.py" verify_documents
