# verhm — the two set-up commands are `make demo` and `make test` (see README).
# Both install missing Debian packages first (scripts/bootstrap.sh).
BUILD     ?= build
ASAN      ?= build-asan
PREFIX    ?= /usr/local
JOBS      ?= 2

.PHONY: all bootstrap build asan test demo bench install clean

all: build

bootstrap:
	@bash scripts/bootstrap.sh

build: bootstrap
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release -DVH_ASAN_DIR=$(abspath $(ASAN)) >/dev/null
	@cmake --build $(BUILD) -j$(JOBS) -- --no-print-directory

# Sanitizer tree: the same tests (and the libFuzzer harnesses) built with
# clang -fsanitize=address,undefined; the main tree's CTest runs them too.
asan: bootstrap
	@CC=clang cmake -S . -B $(ASAN) -DCMAKE_BUILD_TYPE=Debug -DVH_SANITIZE=ON -DVH_FUZZ=ON >/dev/null
	@cmake --build $(ASAN) -j$(JOBS) -- --no-print-directory

test: asan build
	@cd $(BUILD) && ctest --output-on-failure -j$(JOBS)

demo: build
	@bash scripts/demo.sh $(BUILD)/verhm

bench: build
	@bash scripts/bootstrap.sh --bench
	@bash bench/run_all.sh $(BUILD)

install: build
	@cmake --install $(BUILD) --prefix $(PREFIX)

clean:
	rm -rf $(BUILD) $(ASAN)
