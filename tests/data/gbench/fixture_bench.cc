// A small real Google Benchmark program whose output is perfdb's gbench
// fixture (see tests/data/README for the command lines). Each benchmark
// exercises one feature of the JSON format; keep runs short.
#include <benchmark/benchmark.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <string>
#include <thread>
#include <vector>

// Repetitions with aggregates, items/bytes rates, a custom rate counter, a
// plain counter and a user statistic ("max").
static void BM_Sum(benchmark::State &state)
{
	std::vector<int> v(static_cast<size_t>(state.range(0)), 1);
	int64_t collisions = 0;
	for (auto _ : state) {
		benchmark::DoNotOptimize(std::accumulate(v.begin(), v.end(), 0));
		collisions++;
	}
	state.SetItemsProcessed(state.iterations() * state.range(0));
	state.SetBytesProcessed(state.iterations() * state.range(0) *
				static_cast<int64_t>(sizeof(int)));
	state.counters["widgets_per_second"] =
		benchmark::Counter(static_cast<double>(state.iterations()),
				   benchmark::Counter::kIsRate);
	state.counters["collisions"] = static_cast<double>(collisions % 7);
}
BENCHMARK(BM_Sum)
	->Arg(64)
	->Arg(4096)
	->Repetitions(3)
	->ComputeStatistics("max",
			    [](const std::vector<double> &x) {
				    double m = x.empty() ? 0.0 : x[0];
				    for (double d : x)
					    m = d > m ? d : m;
				    return m;
			    });

// Repetitions reported as aggregates only, in microseconds.
static void BM_AggOnly(benchmark::State &state)
{
	std::string s;
	for (auto _ : state) {
		s.assign(100, 'x');
		benchmark::DoNotOptimize(s.data());
	}
}
BENCHMARK(BM_AggOnly)->Repetitions(3)->ReportAggregatesOnly(true)->Unit(benchmark::kMicrosecond);

// A benchmark that fails.
static void BM_Error(benchmark::State &state)
{
	for (auto _ : state) {
		state.SkipWithError("resource not available");
		break;
	}
}
BENCHMARK(BM_Error);

// A complexity fit over ranges.
static void BM_Complexity(benchmark::State &state)
{
	std::vector<int> v(static_cast<size_t>(state.range(0)), 3);
	for (auto _ : state)
		benchmark::DoNotOptimize(std::accumulate(v.begin(), v.end(), 0));
	state.SetComplexityN(state.range(0));
}
BENCHMARK(BM_Complexity)->RangeMultiplier(4)->Range(16, 1024)->Complexity(benchmark::oN);

// A templated benchmark, in milliseconds.
template <typename T> static void BM_Tmpl(benchmark::State &state)
{
	std::vector<T> v(static_cast<size_t>(state.range(0)), T(1));
	for (auto _ : state)
		benchmark::DoNotOptimize(std::accumulate(v.begin(), v.end(), T(0)));
}
BENCHMARK_TEMPLATE(BM_Tmpl, int)->Arg(8)->Unit(benchmark::kMillisecond);

// A threaded benchmark.
static void BM_Threaded(benchmark::State &state)
{
	for (auto _ : state)
		benchmark::DoNotOptimize(state.thread_index());
}
BENCHMARK(BM_Threaded)->Threads(2);

// A counter that is not a number: Google Benchmark prints a bare NaN.
static void BM_NanCounter(benchmark::State &state)
{
	for (auto _ : state)
		benchmark::DoNotOptimize(state.iterations());
	state.counters["undefined_ratio"] = std::nan("");
}
BENCHMARK(BM_NanCounter)->Unit(benchmark::kSecond);

BENCHMARK_MAIN();
