// A C++ program for the XSC glibc suite (suite.c runs it as /tests/glibc-cxx):
// built with the emitted toolchain's <tuple>-g++, dynamically linked against
// Debian's libstdc++ (copied into the sysroot) on the XSC glibc. Threads with
// a mutex and a condition variable, an exception thrown through frames,
// iostreams and a file written and read back with fstreams. Exits 0 and
// prints "cxx ok" when every result is as expected.
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

static int thrower(int depth)
{
	if (depth == 0)
		throw std::runtime_error("deep");
	return thrower(depth - 1) + 1;
}

int main()
{
	std::mutex m;
	std::condition_variable cv;
	long total = 0;
	int done = 0;

	for (int round = 0; round < 10; round++) {
		std::vector<std::thread> threads;
		for (int t = 0; t < 4; t++)
			threads.emplace_back([&, t] {
				std::lock_guard<std::mutex> lock(m);
				total += t;
				done++;
				cv.notify_all();
			});
		{
			std::unique_lock<std::mutex> lock(m);
			cv.wait(lock, [&] { return done == 4 * (round + 1); });
		}
		for (auto &th : threads)
			th.join();
	}
	bool caught = false;
	try {
		thrower(20);
	} catch (const std::exception &e) {
		caught = std::string(e.what()) == "deep";
	}
	const char *path = "/tmp/glibc-cxx.txt";
	{
		std::ofstream out(path);
		for (int i = 0; i < 1000; i++)
			out << "line " << i << '\n';
	}
	std::ifstream in(path);
	std::string line;
	int lines = 0;
	while (std::getline(in, line))
		lines++;
	std::remove(path);
	bool ok = total == 10 * 6 && caught && lines == 1000;
	std::cout << (ok ? "cxx ok" : "cxx FAILED") << " (total " << total << ", caught " << caught
		  << ", lines " << lines << ")" << std::endl;
	return ok ? 0 : 1;
}
