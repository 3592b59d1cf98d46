"""Measure incremental story assignment (``tui.core.increment``) against full re-clustering.

    python scripts/measure_increment.py [--ecb DIR] [--bench DIR ...] [--splits N] [--cache DIR]

For each corpus (ECB+ dev with its ``gold.json``; bench corpora ``DIR/articles`` with
``DIR/articles.truth.json``) the documents are built as the pipeline builds them
(``prepare_text``, body words of body segments, title, date, salient words; cached by corpus in
``--cache``).  Then, for random splits: cluster 90 % of the articles, build the ``StoryIndex``,
``extend`` with the other 10 % (and, separately, with 100 articles); B-cubed F1 of the result
against the gold next to full ``cluster()`` of everything; "held": the new articles are whole
stories the old folder lacks (about half, often the near-miss sibling of an old story) plus
random ones.  Times are CPU seconds
(``time.process_time``) of ``build_index``, ``extend`` and full ``cluster``; the index size is
its pickle.
"""

from __future__ import annotations

import argparse
import json
import pickle
import random
import sys
import time
from multiprocessing import Pool
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tui.core import increment as inc
from tui.core.cluster import ClusterDoc, cluster
from tui.core.pipeline import prepare_text

sys.path.insert(0, str(Path(__file__).resolve().parent))
import measure_clusters  # noqa: E402  (the B-cubed score, written once)


def bcubed(groups: list[list[int]], gold: list[str]) -> float:
    """B-cubed F1, as scripts/measure_clusters.py computes it."""
    return measure_clusters.bcubed(groups, gold)[2]


def make_doc(path: str) -> ClusterDoc:
    raw = Path(path).read_text(encoding="utf-8")
    header, _flat, _labels, _norms, features, _n_body = prepare_text(raw)
    return ClusterDoc(header.title, (), header.published, features=features)


def load(folder: Path, gold_of: dict[str, str], cache: Path) -> tuple[list[ClusterDoc], list[str]]:
    key = cache / (str(folder).strip("/").replace("/", "_") + ".pickle")
    if key.exists():
        names, docs = pickle.loads(key.read_bytes())
    else:
        files = sorted(folder.glob("*.txt"))
        with Pool(2) as pool:
            docs = pool.map(make_doc, [str(f) for f in files], chunksize=50)
        names = [f.name for f in files]
        cache.mkdir(parents=True, exist_ok=True)
        key.write_bytes(pickle.dumps((names, docs)))
    # rebuilt with the current ClusterDoc (a cached one may lack newer fields)
    docs = [ClusterDoc(d.title, d.words, d.published, d.salient) for d in docs]
    return docs, [gold_of[n] for n in names]


def run(name: str, docs: list[ClusterDoc], gold: list[str], splits: int) -> None:
    n = len(docs)
    t0 = time.process_time()
    full = cluster(docs)
    t_full = time.process_time() - t0
    print(
        f"{name}: {n} docs, {len(set(gold))} gold stories; full cluster F1={bcubed(full, gold):.3f} ({t_full:.2f}s CPU)"
    )
    cases = [("10%", max(1, n // 10)), ("100", min(100, n // 10 if n < 1000 else 100))]
    cases.append(("held", max(1, n // 10)))
    for label, n_new in cases:
        fs, olds, t_ext, t_build, sizes, joined, bad_join, miss = [], [], [], [], [], [], [0], [0]
        for seed in range(splits):
            rng = random.Random(seed)
            order = list(range(n))
            rng.shuffle(order)
            old, new = order[: n - n_new], order[n - n_new :]
            if label == "held":  # whole stories the old folder lacks (half), plus random ones
                stories = sorted(set(gold))
                rng.shuffle(stories)
                held: set[str] = set()
                for st in stories:
                    if sum(gold[i] in held for i in order) >= n_new // 2:
                        break
                    held.add(st)
                rest = [i for i in order if gold[i] not in held]
                new = [i for i in order if gold[i] in held] + rest[: n_new // 2]
                old = rest[n_new // 2 :]
            old_docs, new_docs = [docs[i] for i in old], [docs[i] for i in new]
            groups = cluster(old_docs)
            t0 = time.process_time()
            index = inc.build_index(old_docs, groups)
            t_build.append(time.process_time() - t0)
            blob = pickle.dumps(index, protocol=pickle.HIGHEST_PROTOCOL)
            sizes.append(len(blob))
            index = pickle.loads(blob)
            t0 = time.process_time()
            stats: dict = {}
            result = inc.extend(index, groups, new_docs, stats)
            t_ext.append(time.process_time() - t0)
            joined.append(sum(1 for g in result[: len(groups)] for i in g if i >= len(old)))
            g_all = [gold[i] for i in old + new]
            fs.append(bcubed(result, g_all))
            olds.append(bcubed(groups, [gold[i] for i in old]))
            # wrong joins: into a story none of whose old articles shares the article's gold
            # story; misses: a new story although the old folder holds the article's gold story
            for g in result[: len(groups)]:
                has = {g_all[i] for i in g if i < len(old)}
                bad_join[-1] += sum(1 for i in g if i >= len(old) and g_all[i] not in has)
            old_gold = set(g_all[: len(old)])
            for g in result[len(groups) :]:
                miss[-1] += sum(1 for i in g if g_all[i] in old_gold)
            bad_join.append(0)
            miss.append(0)
            # the full clustering's score is the same whatever the split (order independent)
        n_new = len(new)
        print(
            f"  +{label:>4s} ({n_new} new, {splits} splits): extend F1={sum(fs) / len(fs):.3f} "
            f"(min {min(fs):.3f}; 90% alone {sum(olds) / len(olds):.3f}) joined {sum(joined) / len(joined):.0f}/{n_new} "
            f"wrong joins {sum(bad_join) / splits:.1f} missed {sum(miss) / splits:.1f}; "
            f"extend {sum(t_ext) / len(t_ext) * 1000:.0f} ms, build {sum(t_build) / len(t_build):.2f}s, "
            f"index {sum(sizes) / len(sizes) / 2**20:.2f} MB"
        )


def sequential(name: str, docs: list[ClusterDoc], gold: list[str], batch: int, rounds: int) -> None:
    """Cluster all but ``rounds`` batches, then add the batches one by one (extend, then
    update_index, as a reader adding articles repeatedly would)."""
    n = len(docs)
    rng = random.Random(0)
    order = list(range(n))
    rng.shuffle(order)
    n_old = n - batch * rounds
    seen = order[:n_old]
    groups = cluster([docs[i] for i in seen])
    t0 = time.process_time()
    index = inc.build_index([docs[i] for i in seen], groups)
    t_build = time.process_time() - t0
    t_ext = t_upd = 0.0
    for r in range(rounds):
        new = order[n_old + r * batch : n_old + (r + 1) * batch]
        new_docs = [docs[i] for i in new]
        t0 = time.process_time()
        groups = inc.extend(index, groups, new_docs)
        t1 = time.process_time()
        index = inc.update_index(index, new_docs, groups)
        t_upd += time.process_time() - t1
        t_ext += t1 - t0
        seen += new
    f = bcubed(groups, [gold[i] for i in seen])
    print(
        f"  {rounds} batches of {batch} added one by one: F1={f:.3f}; build {t_build:.2f}s, per batch "
        f"extend {t_ext / rounds * 1000:.0f} ms + update_index {t_upd / rounds * 1000:.0f} ms; "
        f"needs_full after: {inc.needs_full(index, batch)}"
    )


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--ecb", type=Path, default=Path("/work/shared/data/ecbplus-dev"))
    ap.add_argument(
        "--bench", type=Path, nargs="*", default=[Path("/tmp/w/c1000"), Path("/tmp/w/c10000")]
    )
    ap.add_argument("--splits", type=int, default=3)
    ap.add_argument("--cache", type=Path, default=Path("/tmp/wirediff-increment"))
    a = ap.parse_args()
    if a.ecb and a.ecb.exists():
        gold = json.loads((a.ecb / "gold.json").read_text())
        docs, g = load(a.ecb / "articles", gold, a.cache)
        run("ECB+ dev", docs, g, a.splits)
        sequential("ECB+ dev", docs, g, 10, 4)
    for folder in a.bench:
        from bench.corpus import read_truth

        truth = read_truth(folder / "articles.truth.json")
        docs, g = load(folder / "articles", {k: v.story for k, v in truth.items()}, a.cache)
        run(f"bench {folder.name}", docs, g, a.splits)
        sequential(f"bench {folder.name}", docs, g, 100, max(1, len(docs) // 1000))
    return 0


if __name__ == "__main__":
    sys.exit(main())
