import cProfile, pstats, time
from benchmarks.live_scale import queries, CACHE
from shopseek.app import ShopSeek
from shopseek.search.engine import Query
shop = ShopSeek(CACHE / "live-20000")
print("pending", shop.indexes.lexical.pending())
qs = queries(40, seed=21)
shop.search(Query("warm up"))
pr = cProfile.Profile(); pr.enable()
t=time.perf_counter()
for q in qs: shop.search(Query(q, k=10))
print("mean ms", (time.perf_counter()-t)*1000/len(qs))
pr.disable()
pstats.Stats(pr).sort_stats("tottime").print_stats(15)
