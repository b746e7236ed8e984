// Source of the go fixtures (tests/data/README says how each was made).
package fixture

import (
	"crypto/sha256"
	"sort"
	"strconv"
	"testing"
)

func fib(n int) int {
	if n < 2 {
		return n
	}
	return fib(n-1) + fib(n-2)
}

func BenchmarkFib(b *testing.B) {
	for i := 0; i < b.N; i++ {
		fib(15)
	}
}

func BenchmarkSort(b *testing.B) {
	for _, n := range []int{10, 100} {
		b.Run("n="+strconv.Itoa(n), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				s := make([]int, n)
				for j := range s {
					s[j] = n - j
				}
				sort.Ints(s)
			}
		})
	}
}

func BenchmarkHash(b *testing.B) {
	buf := make([]byte, 4096)
	b.SetBytes(int64(len(buf)))
	for i := 0; i < b.N; i++ {
		sha256.Sum256(buf)
	}
}

func BenchmarkCustom(b *testing.B) {
	for i := 0; i < b.N; i++ {
		fib(5)
	}
	b.ReportMetric(0.25, "hits/op")
	b.ReportMetric(7, "widgets")
}

func BenchmarkSkipped(b *testing.B) {
	b.Skip("not on this machine")
}

func BenchmarkFails(b *testing.B) {
	if b.N > 1 {
		b.Fatal("deliberate failure")
	}
}
