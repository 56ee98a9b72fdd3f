#!/usr/bin/env bash
# Detection quality and speed per setting, measured by `neardupe eval` on a generated corpus.
# Usage: benches/eval_table.sh [DOCS] [OUT_DIR]   (defaults: 100000, target/eval-corpus)
# Prints one Markdown table row per setting. Needs python3 for reading eval's JSON.
set -euo pipefail
cd "$(dirname "$0")/.."
docs=${1:-100000}
dir=${2:-target/eval-corpus-$docs}
cargo build --release --quiet
bin=target/release/neardupe
if [ ! -f "$dir/truth.jsonl" ]; then
  "$bin" generate -o "$dir" --docs "$docs" --seed 1 --force
fi
echo "| setting | precision | recall | full_page | syndicated | light_edit | truncation | reorder | candidates/doc | seconds | MB/s |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
while IFS= read -r setting; do
  # shellcheck disable=SC2086
  "$bin" eval --truth "$dir/truth.jsonl" "$dir/corpus.jsonl" --format json --list 0 -q $setting \
    | head -n 1 \
    | python3 -c '
import json, sys
s = json.loads(sys.stdin.readline())
k = s["per_kind"]
name = sys.argv[1] or "defaults"
cells = ["`%s`" % name, "%.4f" % s["precision"], "%.4f" % s["recall"]]
cells += ["%.4f" % k[x]["recall"] for x in ["full_page", "syndicated", "light_edit", "truncation", "reorder"]]
cells += ["%.1f" % s["candidates_per_document"], "%.1f" % s["seconds"], "%.1f" % s["mb_per_second"]]
print("| " + " | ".join(cells) + " |")
' "$setting"
done <<'SETTINGS'

--jaccard 0.8
--jaccard 0.4
--containment 0.8
--jaccard-only
--boilerplate-df 0
--shingle-size 3
--shingle-size 7
--num-hashes 64
--num-hashes 256
SETTINGS
