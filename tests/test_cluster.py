"""Story clustering: near misses stay apart, one story's articles join, edge cases, determinism."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from tui.core.cluster import ClusterDoc, cluster, salient_words
from tui.core.ingest import parse_header
from tui.core.text import words

HERE = Path(__file__).parent
ECB = HERE / "fixtures" / "cluster" / "ecbplus"
SEEDS = HERE.parent / "seeds"


def _doc(raw: str, *, salient: bool = True) -> ClusterDoc:
    h = parse_header(raw)
    skip = {h.title_line, h.date_line, h.url_line}
    body = [ln for no, ln in enumerate(raw.splitlines(), 1) if no not in skip and ln.strip()]
    return ClusterDoc(
        h.title,
        [w for ln in body for w in words(ln)],
        h.published,
        [w for ln in body for w in salient_words(ln)] if salient else (),
    )


def _ecb() -> tuple[list[ClusterDoc], list[str]]:
    files = sorted(ECB.glob("*.txt"))
    files = [f for f in files if re.match(r"\d+_\d+ecb(plus)?\.txt$", f.name)]
    stories = [re.sub(r"_\d+", "_", f.stem) for f in files]
    return [_doc(f.read_text(encoding="utf-8")) for f in files], stories


def _as_labels(groups: list[list[int]], n: int) -> list[int]:
    label = [-1] * n
    for gi, g in enumerate(groups):
        for i in g:
            assert label[i] == -1, "a document is in two groups"
            label[i] = gi
    assert -1 not in label, "a document is in no group"
    return label


def _partition(groups: list[list[int]]) -> set[frozenset[int]]:
    return {frozenset(g) for g in groups}


def test_near_miss_stories_of_one_topic_stay_apart():
    docs, stories = _ecb()
    for topic in ("32_", "45_"):
        idx = [i for i, s in enumerate(stories) if s.startswith(topic)]
        groups = cluster([docs[i] for i in idx])
        want = {frozenset(k for k, i in enumerate(idx) if stories[i] == s) for s in {stories[i] for i in idx}}
        assert _partition(groups) == want, topic


def test_mixed_folder_comes_apart_into_its_stories():
    docs, stories = _ecb()
    groups = cluster(docs)
    want = {frozenset(i for i, s in enumerate(stories) if s == st) for st in set(stories)}
    assert len(want) == 4
    assert _partition(groups) == want


def _seed_docs(*, salient: bool) -> list[ClusterDoc]:
    out = []
    for f in sorted(SEEDS.glob("*.txt")):
        lines = f.read_text(encoding="utf-8").splitlines()
        out.append(
            ClusterDoc(
                None,
                [w for ln in lines for w in words(ln)],
                None,
                [w for ln in lines for w in salient_words(ln)] if salient else (),
            )
        )
    return out


def test_seeds_join_as_one_story_even_the_one_sharing_no_sentences():
    seeds = _seed_docs(salient=True)
    assert len(seeds) == 5
    assert cluster(seeds) == [[0, 1, 2, 3, 4]]


def test_seeds_join_as_one_story_among_other_stories():
    docs, _ = _ecb()
    seeds = _seed_docs(salient=True)
    groups = cluster(docs + seeds)
    n = len(docs)
    assert sorted(range(n, n + 5)) in groups


def test_single_doc_and_empty_input():
    assert cluster([]) == []
    assert cluster([ClusterDoc("A title", ["a", "word"])]) == [[0]]


def test_empty_words_lists_are_singletons_and_do_not_join_others():
    docs, stories = _ecb()
    idx = [i for i, s in enumerate(stories) if s == "32_ecb"]
    sub = [docs[i] for i in idx]
    empty = [ClusterDoc(None, []), ClusterDoc(None, [], "2024-01-01"), ClusterDoc(None, [])]
    groups = cluster(empty + sub)
    label = _as_labels(groups, len(empty) + len(sub))
    assert [0] in groups and [1] in groups and [2] in groups
    assert len({label[k] for k in range(3, 3 + len(sub))}) == 1


def test_unrelated_singletons_stay_alone():
    docs, stories = _ecb()
    # One article from each story: four documents, four stories.
    firsts = sorted({s: i for i, s in reversed(list(enumerate(stories)))}.values())
    groups = cluster([docs[i] for i in firsts])
    assert groups == [[0], [1], [2], [3]]


def test_two_articles_of_one_story_join_and_of_two_stories_do_not():
    docs, stories = _ecb()
    a = [i for i, s in enumerate(stories) if s == "45_ecbplus"]
    b = [i for i, s in enumerate(stories) if s == "32_ecb"]
    assert cluster([docs[a[0]], docs[a[1]]]) == [[0, 1]]
    assert cluster([docs[a[0]], docs[b[0]]]) == [[0], [1]]


def test_deterministic_and_independent_of_input_order():
    docs, _ = _ecb()
    docs = docs + _seed_docs(salient=True)
    first = cluster(docs)
    assert cluster(list(docs)) == first
    rng = random.Random(3)
    for _ in range(3):
        order = list(range(len(docs)))
        rng.shuffle(order)
        shuffled = cluster([docs[i] for i in order])
        back = sorted(sorted(order[k] for k in g) for g in shuffled)
        assert back == first


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Russian Ambassador Alexander Matsegora said on Monday.", ["ambassador", "alexander", "matsegora", "monday"]),
        ("He said: “The North is ready.”", ["north"]),  # "The" opens the quote
        ("the U.N. said it was O'Brien's call", ["u", "obriens"]),  # "N" follows a full stop
        ("", []),
    ],
)
def test_salient_words_are_capitalised_words_inside_sentences(text, expected):
    assert salient_words(text) == expected


def test_salient_words_agree_with_a_token_by_token_reading():
    """The one-regex scan finds the same words as reading every token of ``_TOKEN_RE`` and
    checking its first letter and the character before it (joiners, accents, odd spacing)."""
    from tui.core.cluster import _OPENERS, _TOKEN_RE
    from tui.core.text import norm_word

    def by_token(text: str) -> list[str]:
        out = []
        for m in _TOKEN_RE.finditer(text):
            w = m.group()
            before = text[: m.start()].rstrip()
            if w[0].isupper() and before and before[-1] not in _OPENERS:
                out.append(norm_word(w))
        return out

    rng = random.Random(7)
    alphabet = "aAbBZz09_ '’‐‑-.\"“(\t\nÉéßİıΣσ²\u0301\u00ad—"
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 16))) for _ in range(20000)]
    # printable texts with runs of one to three spaces take the one-regex scans (ASCII and not)
    for printable in ("aAbBZzQ09_ '-.\"(,;:!?`*#|[", "aA  .'’‐-,;BbÉéİıΣσ“”«(—_2"):
        texts += ["".join(rng.choice(printable) for _ in range(rng.randint(0, 16))) for _ in range(20000)]
    texts += [ln for f in sorted(SEEDS.glob("*.txt")) for ln in f.read_text(encoding="utf-8").splitlines()]
    for t in texts:
        assert salient_words(t) == by_token(t), repr(t)


def _synthetic_story(rng: random.Random, vocab: list[str], n_docs: int, tag: str) -> list[ClusterDoc]:
    """``n_docs`` articles of one story, the way outlets write one: each article takes 20 of
    the story's 40 sentences (its event words and names mixed with common vocabulary) and
    adds two sentences of its own."""
    names = [f"{tag}name{k}" for k in range(8)]
    own = [f"{tag}word{k}" for k in range(40)] + names

    def sentence() -> list[str]:
        return rng.choices(own, k=6) + rng.choices(vocab, k=12)

    pool = [sentence() for _ in range(40)]
    docs = []
    for _ in range(n_docs):
        body = [w for s in rng.sample(pool, 20) + [sentence(), sentence()] for w in s]
        docs.append(ClusterDoc(f"{tag} {' '.join(rng.sample(names, 2))}", body, "2024-03-01", rng.sample(names, 3)))
    return docs


def test_a_big_story_among_many_forms_one_cluster():
    """A story far bigger than the rest (its own words in hundreds of documents, far over any
    document-frequency cap) still comes out as one cluster, and the small stories stay apart."""
    rng = random.Random(11)
    vocab = [f"w{i}" for i in range(3000)]
    docs: list[ClusterDoc] = []
    story: list[int] = []
    sizes = [300] + [rng.randint(3, 25) for _ in range(60)]
    for s, size in enumerate(sizes):
        docs += _synthetic_story(rng, vocab, size, f"s{s}")
        story += [s] * size
    order = list(range(len(docs)))
    rng.shuffle(order)
    groups = cluster([docs[i] for i in order])
    label = _as_labels(groups, len(docs))
    big = {label[k] for k, i in enumerate(order) if story[i] == 0}
    assert len(big) == 1
    assert sum(1 for lab in label if lab in big) == 300  # nothing else joined it
    for s in range(1, len(sizes)):
        assert len({label[k] for k, i in enumerate(order) if story[i] == s}) == 1, s
    assert len(groups) == len(sizes)


def test_near_identical_documents_form_one_cluster():
    """Hundreds of copies of one article, each with a word or two changed: idf leaves them
    almost nothing in common but the changed words, yet they are one story; an unrelated
    article among them stays alone."""
    docs, _ = _ecb()
    base = max(docs, key=lambda d: len(d.words))
    other = min((d for d in docs if len(d.words) > 100), key=lambda d: len(set(d.words) & set(base.words)))
    copies = []
    for k in range(400):
        w = list(base.words)
        w[(7 * k) % len(w)] = f"edit{k}"
        if k % 3 == 0:
            w.append(f"extra{k}")
        copies.append(ClusterDoc(base.title, w, base.published, base.salient))
    groups = cluster(copies + [other])
    assert groups == [list(range(400)), [400]]
    # exact copies too
    assert cluster([base] * 50) == [list(range(50))]


def test_documents_given_as_text_cluster_as_their_words():
    """``text`` (the body words in one string) is read as the same words: same groups, also
    with empty texts, a title-only document and a text holding the internal separator."""
    docs, _ = _ecb()
    docs = docs + _seed_docs(salient=True) + [ClusterDoc("Lone title words", []), ClusterDoc(None, [])]
    as_text = [ClusterDoc(d.title, (), d.published, d.salient, " ".join(d.words)) for d in docs]
    assert as_text[0].body_words() == list(docs[0].words)
    want = cluster(docs)
    assert cluster(as_text) == want
    # a separator-like character inside a text: the words are still the text's own
    odd = list(as_text)
    odd[0] = ClusterDoc(docs[0].title, (), docs[0].published, docs[0].salient, " ".join(docs[0].words) + " a\x00b")
    odd_words = list(docs)
    odd_words[0] = ClusterDoc(docs[0].title, [*docs[0].words, "a\x00b"], docs[0].published, docs[0].salient)
    assert cluster(odd) == cluster(odd_words)
    # some documents as text, some as words
    mixed = [t if k % 2 else d for k, (d, t) in enumerate(zip(docs, as_text))]
    assert cluster(mixed) == want
