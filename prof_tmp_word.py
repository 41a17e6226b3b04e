"""Where a word search's time goes (fashion test index), by cProfile."""
import cProfile, pstats, time
from benchmarks.common import test_index, test_products
from shopseek.lab.attribute_queries import build_queries
from shopseek.search.engine import Query

shop = test_index()
texts = [q.text for q in build_queries(test_products(), 50, seed=5)]
shop.search(Query("warm up"))
for t in texts[:10]:
    shop.search(Query(t + " x", k=10))
prof = cProfile.Profile()
started = time.perf_counter()
prof.enable()
for t in texts:
    shop.search(Query(t, k=10))
prof.disable()
print("per query ms", (time.perf_counter() - started) * 1000 / len(texts))
pstats.Stats(prof).sort_stats("cumulative").print_stats(45)
