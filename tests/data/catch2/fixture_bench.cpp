// Source of the catch2 fixtures (tests/data/README says how each was made).
#define CATCH_CONFIG_MAIN
#define CATCH_CONFIG_ENABLE_BENCHMARKING
#include <catch2/catch.hpp>

#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

static int fib(int n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

TEST_CASE("Fibonacci", "[bench]") {
    BENCHMARK("fib 12") { return fib(12); };
    BENCHMARK("fib 16") { return fib(16); };
}

TEST_CASE("Containers", "[bench]") {
    SECTION("vector") {
        BENCHMARK("push_back 500") {
            std::vector<int> v;
            for (int i = 0; i < 500; i++)
                v.push_back(i);
            return v.size();
        };
    }
    SECTION("a <b> & \"c\" 'd'") {
        BENCHMARK("concat 50") {
            std::string s;
            for (int i = 0; i < 50; i++)
                s += "x";
            return s.size();
        };
    }
}

TEST_CASE("Failing check", "[bench][fails]") {
    BENCHMARK("tiny") { return fib(3); };
    CHECK(fib(10) == 56);
}

TEST_CASE("Throws", "[bench][throws]") {
    BENCHMARK("throws") {
        throw std::runtime_error("boom & <bang>");
        return 0;
    };
}
