-- results is keyed by (run, benchmark): finding one benchmark's results
-- (perfdb list benchmarks, a series of one benchmark) scanned every result
-- once per benchmark. 2,000 benchmarks x 100 runs took 12.7 s to list.
CREATE INDEX results_benchmark ON results(benchmark_id);
