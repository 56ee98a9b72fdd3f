#!/usr/bin/env bash
# neardupe against datasketch, rensa and gaoya on one generated corpus, in one run.
# Usage: benches/peers.sh [DOCS] [RUNS]   (defaults: 100000 documents, 3 runs each)
# Creates its own Python virtual environment (target/peers-venv) with the peers from PyPI,
# generates the corpus with `neardupe generate` (seed 1) unless it is there, runs every tool
# RUNS times as a whole process (reading the JSONL included, from the page cache) under
# /usr/bin/time, and prints
# one Markdown table of medians: wall time, MB/s, docs/s, peak RSS, the ratio to neardupe,
# and recall per duplicate kind.
set -euo pipefail
cd "$(dirname "$0")/.."
docs=${1:-100000}
runs=${2:-3}
dir=target/peers-corpus-$docs
venv=target/peers-venv
cargo build --release --quiet
bin=target/release/neardupe
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet datasketch rensa gaoya
fi
if [ ! -f "$dir/truth.jsonl" ]; then
  "$bin" generate -o "$dir" --docs "$docs" --seed 1 --force
fi
threshold=0.5
results=$(mktemp)
for run in $(seq "$runs"); do
  # neardupe and gaoya (the fastest peer) run next to each other, so that their ratio in a
  # round is measured at one speed of a machine whose speed drifts over the run.
  for tool in neardupe gaoya rensa datasketch; do
    # Every tool starts with the corpus in the page cache: the kernel reclaims pages left
    # idle for minutes (here DAMON does), so whichever tool ran after datasketch's three
    # minutes used to read the corpus from disk.
    cat "$dir/corpus.jsonl" > /dev/null
    out=$(mktemp)
    if [ "$tool" = neardupe ]; then
      /usr/bin/time -f "%e %M" -o "$out.time" "$bin" eval --truth "$dir/truth.jsonl" "$dir/corpus.jsonl" \
        --format json --list 0 -q | head -n 1 > "$out"
    else
      /usr/bin/time -f "%e %M" -o "$out.time" "$venv/bin/python" benches/peers.py "$tool" \
        "$dir/corpus.jsonl" "$dir/truth.jsonl" "$threshold" > "$out"
    fi
    echo "$tool $(tail -n 1 "$out.time") $(cat "$out")" >> "$results"
    rm -f "$out" "$out.time"
  done
done
"$venv/bin/python" - "$results" "$dir/corpus.jsonl" "$docs" <<'PY'
import json, os, statistics, sys
rows, corpus, docs = sys.argv[1], sys.argv[2], int(sys.argv[3])
mb = os.path.getsize(corpus) / 1e6
by = {}
for line in open(rows):
    tool, wall, rss, payload = line.split(" ", 3)
    p = json.loads(payload)
    recall = {k: v["recall"] for k, v in p["per_kind"].items()} if tool == "neardupe" else p["recall"]
    by.setdefault(tool, []).append((float(wall), int(rss), recall))
# Per round: neardupe's speed over the fastest peer's (by median wall time), run next to it.
peers = ["datasketch", "rensa", "gaoya"]
fastest = min(peers, key=lambda t: statistics.median(w for w, _, _ in by[t]))
ratios = [p[0] / n[0] for n, p in zip(by["neardupe"], by[fastest])]
kinds = ["full_page", "syndicated", "light_edit", "truncation", "reorder"]
base = statistics.median(w for w, _, _ in by["neardupe"])
print(f"{docs} documents, {mb:.1f} MB of JSONL; median of {len(by['neardupe'])} runs each")
print()
print("| tool | wall s | MB/s | docs/s | peak RSS MB | RSS / corpus | speed vs neardupe | " + " | ".join(kinds) + " |")
print("|---|---|---|---|---|---|---|" + "---|" * len(kinds))
for tool in ["neardupe", "datasketch", "rensa", "gaoya"]:
    wall = statistics.median(w for w, _, _ in by[tool])
    # /usr/bin/time's %M is in KiB; MB here are 10^6 bytes, as the corpus size is.
    rss = statistics.median(r for _, r, _ in by[tool]) * 1024 / 1e6
    rec = by[tool][0][2]
    cells = [tool, f"{wall:.1f}", f"{mb / wall:.1f}", f"{docs / wall:.0f}", f"{rss:.0f}", f"{rss / mb:.2f}",
             f"{base / wall:.2f}x"] + [f"{rec.get(k, 0):.3f}" for k in kinds]
    print("| " + " | ".join(cells) + " |")
print()
print(f"neardupe against {fastest} (the fastest peer), round by round: "
      + ", ".join(f"{r:.2f}x" for r in ratios) + f"; median {statistics.median(ratios):.2f}x")
PY
rm -f "$results"
