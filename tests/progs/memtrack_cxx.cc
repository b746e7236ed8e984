// A C++ program for the memtrack tests: allocations through operator new
// from a function in a namespace and a template, whose symbols are mangled
// (_ZN3app...): perfdb must show them demangled. 1000 x new Widget (a
// vector of 100 ints: 400 bytes each) from app::make<app::Widget>.
#include <cstddef>
#include <memory>
#include <vector>

namespace app
{
struct Widget {
	std::vector<int> v;
	explicit Widget(std::size_t n) : v(n)
	{
	}
};

template <typename T> __attribute__((noinline)) std::unique_ptr<T> make(std::size_t n)
{
	return std::unique_ptr<T>(new T(n));
}
} // namespace app

int main()
{
	std::vector<std::unique_ptr<app::Widget>> ws;
	ws.reserve(1000);
	for (int i = 0; i < 1000; i++)
		ws.push_back(app::make<app::Widget>(100));
	return ws.size() == 1000 ? 0 : 1;
}
