#!/usr/bin/env bash
# Run, or resume, a long precompute preset in the background from one commit, in its own git worktree
# under .work/ (ignored through .git/info/exclude), so editing the checkout meanwhile cannot change
# the code the job imports, and the bundle it writes is reproducible from the commit it records.
# Every stage is resumable: after an interruption the same command continues from the last epoch.
#
#   scripts/background_run.sh PRESET COMMIT DATA      e.g.  cpu bf5e1ec .work/c10.npz
#
# Writes .work/<preset>-run/ (the worktree), .work/<preset>_work/ (checkpoints), .work/<preset>_bundle/
# (the bundle) and the log .work/<preset>.log. Copy the bundle into data/bundle/ once it is complete.
set -euo pipefail
cd "$(dirname "$0")/.."
preset=$1 commit=$2 data=$(realpath "$3")
root=$(pwd)
mkdir -p .work .git/info
grep -qx '.work/' .git/info/exclude 2>/dev/null || echo '.work/' >> .git/info/exclude
tree=.work/$preset-run
if [ ! -d "$tree" ]; then
    git worktree add -q "$tree" "$commit"
fi
[ "$(git -C "$tree" rev-parse HEAD)" = "$(git rev-parse "$commit")" ] || { echo "$tree is not at $commit" >&2; exit 2; }
cd "$tree"
setsid nohup nice -n 10 "$root/.venv/bin/python" -m precompute --preset "$preset" --data "$data" \
    --out "$root/.work/${preset}_bundle" --work "$root/.work/${preset}_work" --threads "$(nproc)" \
    >> "$root/.work/$preset.log" 2>&1 < /dev/null &
echo "started $preset at $commit (pid $!); log: .work/$preset.log"
