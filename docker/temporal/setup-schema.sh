#!/bin/sh
# One-shot, before the Temporal server starts (service `temporal-schema`, admin-tools image):
# creates Temporal's two PostgreSQL databases and brings their schemas up to the version this
# admin-tools release ships. Safe to re-run: `create` skips an existing database and
# `setup-schema`/`update-schema` only apply what is missing.
# Connection settings come from the service's environment (POSTGRES_*, DB_PORT); the password
# from SQL_PASSWORD, which temporal-sql-tool reads itself.
set -eu

sql() {
  temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "$DB_PORT" -u "$POSTGRES_USER" "$@"
}

schema_dir=/etc/temporal/schema/postgresql/v12

echo "temporal-schema: database temporal"
sql --db temporal create
sql --db temporal setup-schema -v 0.0
sql --db temporal update-schema -d "$schema_dir/temporal/versioned"

echo "temporal-schema: database temporal_visibility"
sql --db temporal_visibility create
sql --db temporal_visibility setup-schema -v 0.0
sql --db temporal_visibility update-schema -d "$schema_dir/visibility/versioned"

echo "temporal-schema: done"
