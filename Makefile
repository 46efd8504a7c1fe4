# The front door. CMake does the building; these targets name the jobs.
#
#   make            build everything into build/ (binaries in build/bin, libraries in build/lib)
#   make demo       Linux tools on memfs through the whole Windows path (scripts/demo.sh)
#   make test       run every test; the last line is "N passed, N failed"
#   make asan       the same tests built with ASan, UBSan and LeakSanitizer (build-asan/)
#   make bench      benchmarks: engine vs a hand-written reference, ratios (bench/)
#   make fuzz       the libFuzzer target over the engine's reply path (FUZZ_SECONDS, default 600)
#   make fuzz-smoke the same for 60 seconds, as CI runs it
#   make windows    cross-compile the Windows parts with mingw-w64 (build-windows/)
#   make clean      remove every build directory

JOBS   ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE  ?= cmake
export ASAN_OPTIONS  ?= detect_leaks=1:abort_on_error=0:halt_on_error=1
export UBSAN_OPTIONS ?= print_stacktrace=1:halt_on_error=1

FUZZ_SECONDS ?= 600

.PHONY: all build demo test asan windows bench fuzz fuzz-smoke deps clean

all: build

deps:
	@scripts/deps.sh build

build: deps
	@$(CMAKE) -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@$(CMAKE) --build build -j $(JOBS) -- --no-print-directory

demo: build
	@scripts/demo.sh build

test: build
	@scripts/run-tests.sh build

asan: deps
	@$(CMAKE) -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DWF_SANITIZE=ON >/dev/null
	@$(CMAKE) --build build-asan -j $(JOBS)
	@scripts/run-tests.sh build-asan

bench: build
	@scripts/deps.sh build bench
	@bench/run.sh build

fuzz:
	@scripts/fuzz.sh $(FUZZ_SECONDS)

fuzz-smoke:
	@scripts/fuzz.sh 60

windows:
	@scripts/deps.sh build windows
	@$(CMAKE) -S . -B build-windows -DCMAKE_TOOLCHAIN_FILE=cmake/mingw-w64.cmake -DWF_WINDOWS=ON >/dev/null
	@$(CMAKE) --build build-windows -j $(JOBS)
	@echo "windows: winfuse.sys sources (NT kernel) and the libfuse Windows channel compiled (compile-only)"

clean:
	rm -rf build build-asan build-windows build-fuzz
