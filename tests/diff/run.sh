#!/bin/sh
# mtc diff from the command line: OLD NEW (text and json), exit codes, and git:
# `--git REV [FILE]` and the external diff driver (`diff.mtree.command`) in a
# temporary repository. Expected changes are written by hand from the edits below.
# usage: run.sh path/to/mtc SOURCE_DIR
set -u
MTC=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
SRC=$(cd "$2" && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fails=0
ok() { printf 'ok   %s\n' "$1"; }
bad() { printf 'FAIL %s\n' "$1"; fails=$((fails + 1)); }
# same NAME WANT-FILE GOT-FILE
same() { if diff -u "$2" "$3" >"$TMP/d"; then ok "$1"; else bad "$1"; sed 's/^/    /' "$TMP/d" | head -30; fi; }

cd "$TMP" || exit 1
cp "$SRC/examples/chiro/marketing_mix.mtree" old.mtree

# The same model reformatted, plain comments dropped (`///` doc comments are
# descriptions and kept), declarations reordered: no change.
{ grep -Ev '^ *//($|[^/])' old.mtree | grep -v '^relation' | sed 's/ = / =  /'; grep '^relation' old.mtree | sort -r; } >same.mtree
"$MTC" diff old.mtree same.mtree >out 2>err; rc=$?
if [ $rc = 0 ] && [ ! -s out ]; then ok "layout, comments and order: no change, exit 0"; else bad "no-change diff: exit $rc"; cat out err; fi

# Edits: a formula, a constraint's bound, a relation removed, a metric added.
sed -e 's|b_ppc / (100 USD/patient)|b_ppc/(90 USD/patient)|' -e 's|<= 2000|<= 2500|' \
    -e '/^relation patients_sales/d' old.mtree >new.mtree
echo 'metric extra: patient = total_new_patients * 2' >>new.mtree
cat >changes <<'W'
+ metric extra: patient = total_new_patients * 2
~ metric patients_ppc: formula b_ppc / (100 USD/patient) -> b_ppc / (90 USD/patient)
- relation patients_sales -> total_new_patients: compositional
~ optimize marketing_mix: subject to budget b_ppc + b_sales + b_consultants <= (2000 USD) -> b_ppc + b_sales + b_consultants <= (2500 USD)
W
"$MTC" diff old.mtree new.mtree >got 2>err; rc=$?
[ $rc = 0 ] && ok "OLD NEW exits 0" || bad "OLD NEW: exit $rc"
same "OLD NEW text" changes got

"$MTC" diff --format json old.mtree new.mtree >got.json 2>err
python3 - got.json <<'PY' && ok "json: keys and values" || bad "json: keys and values"
import json, sys
d = json.load(open(sys.argv[1]))
ch = d["files"][0]["changes"]
assert d["files"][0]["old"] == "old.mtree" and d["files"][0]["new"] == "new.mtree"
assert [c["change"] for c in ch] == ["added", "changed", "removed", "changed"], ch
assert ch[1] == {"change": "changed", "kind": "metric", "name": "patients_ppc", "field": "formula",
                 "old": "b_ppc / (100 USD/patient)", "new": "b_ppc / (90 USD/patient)"}, ch[1]
assert ch[2]["summary"] == "compositional"
PY

printf 'model m { grain: month }\nmetric x: USD = y\n' >bad.mtree
"$MTC" diff old.mtree bad.mtree >out 2>err; rc=$?
[ $rc = 1 ] && grep -q 'bad.mtree:2:17: error: unknown name' err && ok "a model with errors: located error, exit 1" || bad "model with errors: exit $rc"
"$MTC" diff old.mtree >out 2>err; rc=$?
[ $rc = 2 ] && ok "one file: usage, exit 2" || bad "one file: exit $rc"
"$MTC" diff old.mtree missing.mtree >out 2>err; rc=$?
[ $rc = 1 ] && grep -q 'cannot read missing.mtree' err && ok "missing file: exit 1" || bad "missing file: exit $rc"
"$MTC" diff /dev/null old.mtree >out 2>err; rc=$?
[ $rc = 0 ] && grep -q '^+ model chiro_mix' out && ! grep -q '^[-~]' out && ok "/dev/null OLD: everything added" || bad "/dev/null: exit $rc"

# ---- git
if ! command -v git >/dev/null 2>&1; then echo "skip: git is not installed"; echo "$fails failed"; [ $fails = 0 ]; exit; fi
mkdir repo && cd repo || exit 1
git init -q . && git config user.email t@example.com && git config user.name t && git config commit.gpgsign false
mkdir sub
cp ../old.mtree sub/mix.mtree
cp ../old.mtree gone.mtree
printf 'model plain { grain: month }\nunit u\n' >plain.mtree
git add . && git commit -qm one
cp ../new.mtree sub/mix.mtree
rm gone.mtree
"$MTC" fmt plain.mtree  # layout only: not reported by --git
printf 'model plain { grain: month }\n\n// a comment\nunit u\n' >plain.mtree
printf 'model fresh { grain: month }\n' >fresh.mtree
cp fresh.mtree 'with space.mtree'
git add fresh.mtree 'with space.mtree'

"$MTC" diff --git HEAD sub/mix.mtree >got 2>err; rc=$?
{ echo "diff sub/mix.mtree (HEAD:sub/mix.mtree -> working tree)"; cat "$TMP/changes"; } >want
[ $rc = 0 ] && ok "--git HEAD FILE exits 0" || { bad "--git HEAD FILE: exit $rc"; cat err; }
same "--git HEAD FILE" want got

"$MTC" diff --git HEAD >got 2>err; rc=$?
grep '^diff ' got >heads
printf '%s\n' "diff fresh.mtree (HEAD:fresh.mtree -> working tree)" "diff gone.mtree (HEAD:gone.mtree -> working tree)" \
  "diff sub/mix.mtree (HEAD:sub/mix.mtree -> working tree)" "diff with space.mtree (HEAD:with space.mtree -> working tree)" >want
[ $rc = 0 ] && ok "--git HEAD exits 0" || { bad "--git HEAD: exit $rc"; cat err; }
same "--git HEAD: every changed .mtree, layout-only plain.mtree left out" want heads
grep -q '^+ model fresh' got && grep -q '^- model chiro_mix' got && ok "--git HEAD: added and deleted files" || bad "--git added/deleted"
(cd sub && "$MTC" diff --git HEAD mix.mtree >../got2 2>&1) && grep -q '^~ metric patients_ppc' got2 && ok "--git from a subdirectory" || bad "--git from a subdirectory"
"$MTC" diff --git no-such-rev sub/mix.mtree >out 2>err; rc=$?
[ $rc = 1 ] && ok "--git with a bad revision: exit 1" || bad "--git bad revision: exit $rc"

# git's external diff driver, set up as docs/fmt-diff.md says.
echo '*.mtree diff=mtree' >.gitattributes
git config diff.mtree.command "$MTC diff"
git diff HEAD -- sub/mix.mtree >got 2>err; rc=$?
{ echo "diff --mtree a/sub/mix.mtree b/sub/mix.mtree"; cat "$TMP/changes"; } >want
[ $rc = 0 ] && ok "git diff with the driver exits 0" || { bad "git diff driver: exit $rc"; cat err; }
same "git diff with the driver" want got
git diff HEAD -- plain.mtree >got 2>err
printf '%s\n' "diff --mtree a/plain.mtree b/plain.mtree" "(no semantic changes: layout or comments only)" >want
same "git diff driver: layout-only change" want got
printf 'model plain { grain: month }\nmetric x: USD = nope\n' >plain.mtree
git diff HEAD -- plain.mtree >got 2>err; rc=$?
[ $rc = 0 ] && grep -q 'plain.mtree:2:17: error: unknown name' got && ok "git diff driver: errors inline, exit 0" || { bad "driver with errors: exit $rc"; cat got err; }
git diff HEAD -- gone.mtree >got 2>err; rc=$?
[ $rc = 0 ] && grep -q '^- model chiro_mix' got && ok "git diff driver: a deleted file" || { bad "driver, deleted file: exit $rc"; cat got err; }

# A rename with changes: git passes nine arguments (the new path and a header).
git rm -q --cached 'with space.mtree' && rm 'with space.mtree'
git add -A . && git commit -qm two
git mv sub/mix.mtree sub/renamed.mtree
sed -i 's|<= 150|<= 160|' sub/renamed.mtree
git diff -M HEAD -- sub >got 2>err; rc=$?
printf '%s\n' "diff --mtree a/sub/mix.mtree b/sub/renamed.mtree" \
  "~ optimize marketing_mix: subject to capacity total_new_patients <= (150 patient) -> total_new_patients <= (160 patient)" >want
[ $rc = 0 ] && ok "git diff driver on a rename exits 0" || { bad "driver, rename: exit $rc"; cat err; }
same "git diff driver on a rename" want got

echo "$fails failed"
[ $fails = 0 ]
