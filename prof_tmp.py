import cProfile, pstats, time
from benchmarks.common import test_index, test_products
from shopseek.lab.attribute_queries import build_queries
from shopseek.search.engine import Query
shop = test_index()
qs = [q.text for q in build_queries(test_products(), 100, seed=5)]
qs2 = [q.text for q in build_queries(test_products(), 100, seed=7)]
shop.search(Query("warm up"))
t=time.perf_counter()
for q in qs: shop.search(Query(q, k=10))
print("mean ms", (time.perf_counter()-t)*1000/len(qs))
pr = cProfile.Profile(); pr.enable()
for q in qs2: shop.search(Query(q, k=10))
pr.disable()
pstats.Stats(pr).sort_stats("tottime").print_stats(30)
