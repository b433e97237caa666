#!/bin/sh
# One-shot, after the Temporal server is up (service `temporal-setup`, admin-tools image):
# makes sure the namespace Nudge uses exists and has Nudge's custom search attributes.
# Safe to re-run: existing namespace and attributes are left as they are.
#   TEMPORAL_ADDRESS    host:port of the frontend (temporal:7233)
#   TEMPORAL_NAMESPACE  namespace to set up (default)
set -eu

namespace="${TEMPORAL_NAMESPACE:-default}"
host="${TEMPORAL_ADDRESS%:*}"
port="${TEMPORAL_ADDRESS##*:}"
# Call the server by its IPv4 address: it binds 0.0.0.0 only, and Temporal's own compose
# setup resolves the name the same way before calling the CLI. Falls back to the name.
ip="$(getent ahosts "$host" 2>/dev/null | awk '$1 ~ /^[0-9.]+$/ { print $1; exit }')"
address="${ip:-$host}:$port"

t() { temporal --address "$address" "$@"; }

# Runs "$@" until it succeeds, every 2 s, for at most $1 attempts.
retry() {
  attempts="$1"
  shift
  n=1
  until "$@"; do
    if [ "$n" -ge "$attempts" ]; then
      echo "temporal-setup: gave up after $n attempts: $*" >&2
      return 1
    fi
    n=$((n + 1))
    sleep 2
  done
}

echo "temporal-setup: waiting for the Temporal server at $address"
retry 60 t operator cluster health >/dev/null

if t operator namespace describe --namespace "$namespace" >/dev/null 2>&1; then
  echo "temporal-setup: namespace $namespace exists"
else
  echo "temporal-setup: creating namespace $namespace"
  out="$(t operator namespace create --namespace "$namespace" 2>&1)" || case "$out" in
    *"already exists"* | *"AlreadyExists"*) ;;
    *) echo "$out" >&2; exit 1 ;;
  esac
fi

# Registers one search attribute. "Already exists" with the same type is fine; with a
# different type it is a real conflict and fails the setup.
add_attribute() {
  out="$(t operator search-attribute create --namespace "$namespace" --name "$1" --type "$2" 2>&1)" && return 0
  case "$out" in
    *"different type"*) echo "$out" >&2; exit 1 ;;
    *"already exists"* | *"AlreadyExists"*) return 0 ;;
  esac
  # A namespace created a moment ago may not be visible to the frontend yet: retried.
  echo "temporal-setup: $1: $out" >&2
  return 1
}

for attribute in LeadId:Keyword JourneyId:Keyword JourneyVersion:Int Step:Keyword; do
  retry 30 add_attribute "${attribute%%:*}" "${attribute##*:}"
done

# Done only once a visibility query can use the attributes, so the API and the worker,
# which wait for this service, never see "unknown search attribute".
echo "temporal-setup: waiting for the attributes to be queryable"
retry 30 t workflow list --namespace "$namespace" --limit 1 \
  --query "LeadId = 'probe' AND JourneyId = 'probe' AND JourneyVersion = 1 AND Step = 'probe'" >/dev/null

t operator search-attribute list --namespace "$namespace" | grep -E '^ *(LeadId|JourneyId|JourneyVersion|Step) '
echo "temporal-setup: namespace $namespace is ready"
