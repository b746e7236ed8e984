// Source of the libtest fixtures (tests/data/README says how each was made).
#![feature(test)]
extern crate test;
use test::Bencher;

fn fib(n: u64) -> u64 {
    if n < 2 { n } else { fib(n - 1) + fib(n - 2) }
}

#[bench]
fn bench_fib_12(b: &mut Bencher) {
    b.iter(|| fib(test::black_box(12)));
}

#[bench]
fn bench_copy_4k(b: &mut Bencher) {
    let src = vec![1u8; 4096];
    b.bytes = 4096;
    b.iter(|| test::black_box(src.clone()));
}

#[bench]
#[ignore]
fn bench_ignored(b: &mut Bencher) {
    b.iter(|| 1);
}

#[bench]
fn bench_panics(b: &mut Bencher) {
    b.iter(|| 1);
    panic!("deliberate panic");
}

mod nested {
    #[bench]
    fn bench_sum(b: &mut super::Bencher) {
        b.iter(|| (0..100u64).sum::<u64>());
    }
}
