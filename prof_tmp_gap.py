"""Per-query trust features vs which text-to-photo signal answers better (dev catalogues)."""
import json
import numpy as np
from benchmarks.tune_general import fashion, general, score
from benchmarks.general import dummyjson_rows
from shopseek.eval.metrics import evaluate
from shopseek.search.engine import Query, SearchEngine
from shopseek.search.trust import agreement_gap

cats = {
    "fashion img": fashion("fashion-dev-images", False),
    "dj img": general("dummyjson-images-only", dummyjson_rows, "images"),
}
out = {}
for name, (shop, queries, qrels) in cats.items():
    engine = SearchEngine(shop.store, shop.indexes, shop.encoder, shop.settings)
    rows = []
    for q in queries:
        lists = engine.recall(Query(q.text, k=20), None)
        picks, ref = lists.get("cross_modal", []), lists.get("visual_words", [])
        gap = agreement_gap(picks, ref)
        rs = np.array([s for _, s in ref])
        ps = np.array([s for _, s in picks])
        per = {}
        for sig in ("cross_modal", "visual_words"):
            hits = engine.search(Query(q.text, k=20, signals=frozenset({sig}))).hits
            per[sig] = evaluate({q.qid: qrels.get(q.qid, {})}, {q.qid: {h.product.id: h.score for h in hits}}, ["nDCG@10"])["nDCG@10"]
        top_ref = {k for k, _ in ref[:10]}
        overlap = len([k for k, _ in picks[:10] if k in top_ref])
        rows.append(dict(q=q.text, gap=gap, ref_spread=float(rs[:10].mean() - rs.mean()) if len(rs) else None,
                         ref_top=float(rs[:10].mean()) if len(rs) else None, pick_top=float(ps[:10].mean()) if len(ps) else None,
                         overlap=overlap, cm=per["cross_modal"], vw=per["visual_words"]))
    out[name] = rows
    print(name, len(rows), flush=True)
json.dump(out, open("/tmp/gap_rows.json", "w"), ensure_ascii=False, indent=1)
