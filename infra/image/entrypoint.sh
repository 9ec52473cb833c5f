#!/bin/sh
# The image's commands: serve (the default) and migrate (one-shot, for a migrate job or
# compose service); rotate-secrets too. Anything else runs as given (e.g. `sh`).
set -eu
command="${1:-serve}"
case "$command" in
  serve | migrate | rotate-secrets) ;;
  *) exec "$@" ;;
esac
if [ -z "${DATABASE_URL:-}" ]; then
  echo "Bailey's image needs a Postgres: set DATABASE_URL. Example: docker run -e DATABASE_URL=postgresql://bailey:secret@db:5432/bailey <image> (infra/compose.yaml starts one)." >&2
  exit 64
fi
if [ ! -w "${BAILEY_DATA_DIR:-/data}" ]; then
  echo "The data directory ${BAILEY_DATA_DIR:-/data} is not writable by uid $(id -u): give the volume to uid 10001 (chown 10001:10001) or mount a fresh named volume." >&2
  exit 73
fi
cd /app
exec node --import tsx apps/web/launcher/main.ts "$@"
