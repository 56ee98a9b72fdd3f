#!/usr/bin/env python3
"""One run of a peer library's standard near-duplicate pipeline on a generated corpus.

Usage: peers.py TOOL CORPUS.jsonl TRUTH.jsonl THRESHOLD
TOOL is datasketch, rensa or gaoya. Prints one JSON line: pairs found, recall per kind (a true
pair counts as found when the tool returns it as a candidate: no verification is held against
them), and the seconds spent after reading the corpus.

Settings are the ones the issue names: 128 hashes, word 5-shingles, lowercase; the LSH
threshold is neardupe's default Jaccard threshold, with datasketch's own choice of bands.
"""
import json
import re
import sys
import time

TOOL, CORPUS, TRUTH, THRESHOLD = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
NUM_PERM = 128
WORD = re.compile(r"\w+")


def shingles(text, k=5):
    t = WORD.findall(text.lower())
    if len(t) < k:
        return {" ".join(t)} if t else set()
    return {" ".join(t[i:i + k]) for i in range(len(t) - k + 1)}


def bands_for(threshold):
    from datasketch.lsh import _optimal_param
    b, r = _optimal_param(threshold, NUM_PERM, 0.5, 0.5)
    # rensa and gaoya want bands that divide the signature.
    while NUM_PERM % b:
        b -= 1
    return b, NUM_PERM // b


def query_all(lsh, sigs, pairs):
    """Every document's LSH candidates, as index pairs."""
    for i, m in enumerate(sigs):
        for j in lsh.query(m):
            if j != i:
                pairs.add((min(i, j), max(i, j)))


started = time.perf_counter()
ids, texts = [], []
with open(CORPUS, encoding="utf-8") as f:
    for line in f:
        d = json.loads(line)
        ids.append(d["id"])
        texts.append(d["text"])
read_seconds = time.perf_counter() - started
t0 = time.perf_counter()
pairs = set()
if TOOL == "datasketch":
    from datasketch import MinHash, MinHashLSH
    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
    sigs = []
    for i, text in enumerate(texts):
        m = MinHash(num_perm=NUM_PERM)
        m.update_batch([s.encode("utf-8") for s in shingles(text)])
        lsh.insert(i, m)
        sigs.append(m)
    query_all(lsh, sigs, pairs)
elif TOOL == "rensa":
    from rensa import RMinHash, RMinHashLSH
    b, _ = bands_for(THRESHOLD)
    lsh = RMinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM, num_bands=b)
    sigs = []
    for i, text in enumerate(texts):
        m = RMinHash(num_perm=NUM_PERM, seed=42)
        m.update(list(shingles(text)))
        lsh.insert(i, m)
        sigs.append(m)
    query_all(lsh, sigs, pairs)
elif TOOL == "gaoya":
    from gaoya.minhash import MinHashStringIndex
    b, r = bands_for(THRESHOLD)
    index = MinHashStringIndex(hash_size=32, jaccard_threshold=THRESHOLD, num_bands=b, band_size=r,
                               analyzer="word", lowercase=True, ngram_range=(5, 5), id_container="vec")
    index.par_bulk_insert_docs(list(range(len(texts))), texts)
    for i, found in enumerate(index.par_bulk_query(texts)):
        for j in found:
            if j != i:
                pairs.add((min(i, j), max(i, j)))
else:
    sys.exit(f"unknown tool {TOOL}")
seconds = time.perf_counter() - t0

found = {(ids[a], ids[b]) if ids[a] < ids[b] else (ids[b], ids[a]) for a, b in pairs}
per_kind = {}
with open(TRUTH, encoding="utf-8") as f:
    for line in f:
        t = json.loads(line)
        if "kind" not in t:
            continue
        k = per_kind.setdefault(t["kind"], [0, 0])
        k[0] += 1
        k[1] += (t["a"], t["b"]) in found
print(json.dumps({"tool": TOOL, "pairs": len(found), "read_seconds": read_seconds, "seconds": seconds,
                  "recall": {k: v[1] / v[0] for k, v in sorted(per_kind.items())}}))
