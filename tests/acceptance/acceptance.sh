# Sourced by the shell cases of the acceptance suite after tests/cli/lib.sh:
# sets $DATA to the shared data folder, or skips (exit 77) when it is absent.
DATA=${PERFDB_SHARED_DATA:-}
if [ -z "$DATA" ] || [ ! -d "$DATA" ]; then
	echo "skipped: ../shared/data not present (${DATA:-unset})"
	exit 77
fi
