// Source of the criterion fixtures (tests/data/README says how each was made).
use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, SamplingMode, Throughput};

fn fib(n: u64) -> u64 {
    if n < 2 { n } else { fib(n - 1) + fib(n - 2) }
}

fn benches(c: &mut Criterion) {
    c.bench_function("fib 12", |b| b.iter(|| fib(black_box(12))));
    let mut g = c.benchmark_group("sum");
    for n in [64u64, 1024] {
        g.throughput(Throughput::Elements(n));
        g.bench_with_input(BenchmarkId::new("range", n), &n, |b, &n| b.iter(|| (0..black_box(n)).sum::<u64>()));
    }
    g.finish();
    let mut f = c.benchmark_group("flat");
    f.sampling_mode(SamplingMode::Flat);
    f.bench_function("spin", |b| b.iter(|| fib(black_box(8))));
    f.finish();
}

criterion_group! {
    name = group;
    config = Criterion::default().sample_size(10).warm_up_time(std::time::Duration::from_millis(100)).measurement_time(std::time::Duration::from_millis(300));
    targets = benches
}
criterion_main!(group);
