"""Analysis → JSON (schema ``wirediff.analysis/1``, documented in the README)."""

from __future__ import annotations

import json
from typing import Any

from .model import Analysis

SCHEMA = "wirediff.analysis/1"


def to_dict(analysis: Analysis) -> dict[str, Any]:
    return {
        "schema": SCHEMA,
        "engine": analysis.engine,
        "articles": [
            {
                "id": a.id,
                "path": a.path,
                "digest": a.digest,
                "encoding": a.encoding,
                "outlet": a.outlet,
                "outlet_cue": a.outlet_cue,
                "title": a.title,
                "published": a.published,
                "url": a.url,
                "sentences": [
                    {
                        "id": s.id,
                        "line": s.line,
                        "start": s.start,
                        "end": s.end,
                        "text": s.text,
                        "role": s.role,
                        "kind": s.kind,
                        "family": s.family,
                    }
                    for s in a.sentences
                ],
            }
            for a in analysis.articles
        ],
        "clusters": [{"id": st.id, "title": st.title, "articles": list(st.articles)} for st in analysis.stories],
        "families": [
            {
                "id": f.id,
                "kind": f.kind,
                "score": round(f.score, 1),
                "members": [m.sentence for m in f.members],
                "shared": {m.sentence: [list(sp) for sp in m.shared] for m in f.members},
                "differs": {m.sentence: [list(sp) for sp in m.differs] for m in f.members},
                "first": f.first,
            }
            for f in analysis.families
        ],
        "skipped": [{"path": s.path, "reason": s.reason} for s in analysis.skipped],
    }


def to_json(analysis: Analysis, *, indent: int | None = 2) -> str:
    return json.dumps(to_dict(analysis), ensure_ascii=False, indent=indent)
