# The README's commands. Each one installs what is missing first.
BUILD      ?= build
ASAN_BUILD ?= build-asan
JOBS       ?= $(shell nproc)
FUZZ_SECONDS ?= 60
CMAKE_GEN  := -G Ninja -DCMAKE_CXX_COMPILER_LAUNCHER=ccache

.PHONY: deps build test test-asan fuzz demo bench bench-capture install deb format clean

deps:
	@scripts/install-deps.sh

$(BUILD)/build.ninja: | deps
	cmake -S . -B $(BUILD) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=RelWithDebInfo

build: deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

# The suite's PostgreSQL tests run against a throwaway server that with-postgres.sh starts and
# removes.
test: build
	scripts/with-postgres.sh ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

$(ASAN_BUILD)/build.ninja: | deps
	cmake -S . -B $(ASAN_BUILD) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Debug -DHOMEPORT_SANITIZE=ON

test-asan: deps $(ASAN_BUILD)/build.ninja
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	scripts/with-postgres.sh ctest --test-dir $(ASAN_BUILD) --output-on-failure -j $(JOBS)

# Every libFuzzer target (tests/fuzz) for FUZZ_SECONDS each, under ASan/UBSan, built with clang in
# build-fuzz/; crashes land in build-fuzz/crashes/<target>/. `make test` replays the seed corpora
# and past crashes without fuzzing.
fuzz: deps
	FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/fuzz.sh

demo: build
	scripts/demo.sh $(BUILD)/homeport

# run.sh runs itself beside a throwaway, durable PostgreSQL (scripts/with-postgres.sh --durable)
# unless BENCH_POSTGRES_URL names one.
bench: build
	bench/run.sh $(BUILD)

# The verifier's part of the benchmark alone (bench/capture.sh): every capture shape, start-up;
# its figures go under `capture` in bench/results.json and into the READMEs' shapes tables.
bench-capture: build
	mkdir -p bench/work/run
	bench/capture.sh $(BUILD) bench/work/run
	WORK=bench/work/run RESULTS=bench/results.json ROOT=$(CURDIR) python3 bench/report.py --capture

# Installs under PREFIX (default /usr/local), staged under DESTDIR when set:
#   make install PREFIX=/usr DESTDIR=/tmp/root
PREFIX ?= /usr/local
install: build
	DESTDIR=$(DESTDIR) cmake --install $(BUILD) --prefix $(PREFIX)

# $(BUILD)/homeport_<version>_<arch>.deb, its debug info in homeport-dbgsym_<version>_<arch>.ddeb.
deb: build
	cd $(BUILD) && cpack -G DEB

format:
	clang-format -i $$(git ls-files '*.cc' '*.h')

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) build-fuzz
