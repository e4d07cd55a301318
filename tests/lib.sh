# Shared by the shell tests (sourced): a temporary folder, ok/bad counting and
# expect_rc. The caller sets MTC and SRC first and reports $fails at the end.
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fails=0
ok() { printf 'ok   %s\n' "$1"; }
bad() { printf 'FAIL %s\n' "$1"; fails=$((fails + 1)); }
expect_rc() {  # expect_rc NAME WANT CMD...
  name=$1; want=$2; shift 2
  "$@" >"$TMP/out" 2>"$TMP/err"
  got=$?
  if [ "$got" = "$want" ]; then ok "$name (exit $got)"; else bad "$name: exit $got, want $want"; sed 's/^/    /' "$TMP/err" | head -20; fi
}
