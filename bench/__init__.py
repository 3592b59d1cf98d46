"""wirediff's benchmark (not part of the installed package).

    python -m bench                   # 1k, 5k, 10k, 20k articles: wirediff vs difflib vs MinHash-LSH
    python -m bench --quick           # one small corpus, under a minute (CI)
    python -m bench --sizes 1000,5000 --tools wirediff,minhash
    python -m bench --profile --profile-size 5000 --out bench-out   # pyinstrument report

The corpus comes from ../shared/data/ecbplus-dev when present, else from the repo's seeds/
(announced as FALLBACK).  Needs the ``datasketch`` and ``pyinstrument`` packages.
"""
