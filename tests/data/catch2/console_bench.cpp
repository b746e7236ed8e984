// Source of the catch2 console fixtures (tests/data/README says how each was made).
#define CATCH_CONFIG_MAIN
#define CATCH_CONFIG_ENABLE_BENCHMARKING
#include <catch2/catch.hpp>

#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

static int fib(int n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

TEST_CASE("Fibonacci", "[bench]") {
    BENCHMARK("fib 12") { return fib(12); };
    BENCHMARK("fib 22") { return fib(22); };
}

TEST_CASE("Containers", "[bench]") {
    SECTION("vector") {
        SECTION("reserved") {
            BENCHMARK("push_back 500 into a vector that was reserved before") {
                std::vector<int> v;
                v.reserve(500);
                for (int i = 0; i < 500; i++)
                    v.push_back(i);
                return v.size();
            };
        }
    }
    SECTION("a <b> & \"c\" 'd'") {
        BENCHMARK("concat/append/operator+=/std::string/50 chars") {
            std::string s;
            for (int i = 0; i < 50; i++)
                s += "x";
            return s.size();
        };
        BENCHMARK("averyveryverylongbenchmarknamewithoutanyspacesinit") { return fib(5); };
    }
}

TEST_CASE("Sleeps", "[bench][slow]") {
    BENCHMARK("sleep 2ms") {
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
        return 0;
    };
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
