# RiccatiKit. `make test` and `make run` install the system libraries they need (Debian/Ubuntu).
SWIFT ?= swift
APT_PACKAGES = libopenblas-dev liblapacke-dev

.PHONY: deps slurm-deps build release run test docs fuzz notebooks clean bench bench-smoke bench-deps

# Installs OpenBLAS (CBLAS) and LAPACKE when the Debian packages are missing. Uses sudo when not root.
deps:
	@if ! dpkg -s $(APT_PACKAGES) >/dev/null 2>&1; then \
		echo "Installing $(APT_PACKAGES) ..."; \
		SUDO=""; [ "$$(id -u)" -ne 0 ] && SUDO="sudo"; \
		$$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(APT_PACKAGES); \
	fi

# The Slurm backend's tests start a throwaway single-node cluster on localhost (.ci/slurm-cluster):
# Debian's Slurm daemons, clients and munge. Only `make test` needs them; where they cannot be
# installed the Slurm tests say so and are skipped (`make run` and `make build` never need Slurm).
SLURM_PACKAGES = slurmctld slurmd slurm-client munge
slurm-deps:
	@if ! dpkg -s $(SLURM_PACKAGES) >/dev/null 2>&1; then \
		echo "Installing $(SLURM_PACKAGES) (for the Slurm backend's tests) ..."; \
		SUDO=""; [ "$$(id -u)" -ne 0 ] && SUDO="sudo"; \
		( $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(SLURM_PACKAGES) ) \
			|| echo "warning: could not install $(SLURM_PACKAGES); the Slurm backend's tests will be skipped"; \
	fi

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

# The default job: `riccati integrate` with its defaults, as a table.
run: release
	$$($(SWIFT) build -c release --show-bin-path)/riccati integrate

# Tests run optimised (the SGD-against-ODE checks simulate ~10⁵ steps); -enable-testing keeps @testable imports working.
TEST_FLAGS = -c release -Xswiftc -enable-testing

# The tests run as an application should: OpenBLAS on one thread (RiccatiKit never changes it, and
# its own threads are its parallelism; SGDFollowsODETests alone took 111 s with OpenBLAS's default two
# threads against 59 s with one). Tests that compare thread counts set what they compare.
# A crash of the test runner prints only the crashed thread's frames, without registers or the image
# list, so that the end of a CI log (all a CI report may keep) shows where it happened.
CRASH_REPORT = enable=yes,interactive=no,threads=crashed,registers=none,images=none,symbolicate=fast
test: deps slurm-deps
	$(SWIFT) build $(TEST_FLAGS) --build-tests
	OPENBLAS_NUM_THREADS=1 SWIFT_BACKTRACE=$(CRASH_REPORT) $(SWIFT) test $(TEST_FLAGS) --skip-build
	@if python3 -c "import numpy, scipy" >/dev/null 2>&1; then \
		$(MAKE) --no-print-directory bench-smoke; \
	else \
		echo "bench-smoke skipped: numpy/scipy not available"; \
	fi

# DocC reference and articles of Riccati, Monotonicity, SGD, ScalingLaws and LinearAlgebra, one archive
# per module in .build/docs/ (swift-docc-plugin; a debug build for the symbol graphs). Fails on any DocC
# warning except the known doc-comment ones listed in .ci/docs-known-warnings; DOCS_STRICT=1 fails on
# those too. Preview one module: swift package --disable-sandbox preview-documentation --target Riccati
docs: deps
	SWIFT="$(SWIFT)" .ci/docs-check

# Executes the notebooks (their examples run for real) and exports HTML and Markdown+PNG into
# notebooks-export/. Needs PyPI; not part of `make test`.
notebooks: deps
	bash notebooks/build.sh

# Benchmarks (bench/run.py, results in bench/RESULTS.md). Uses bench/.venv's Python when `make bench-deps`
# has created it (adds the jax/diffrax columns), python3 otherwise. BENCH_ARGS, e.g. "--cap 120", go to run.py.
BENCH_PYTHON = $(shell [ -x bench/.venv/bin/python ] && echo bench/.venv/bin/python || echo python3)
BENCH_ARGS ?=

bench: release
	$(BENCH_PYTHON) bench/run.py $(BENCH_ARGS)

# Every code path of the harness on tiny sizes, in a few seconds; writes a temporary RESULTS file.
# Uses the existing release binary (building it only when missing), so that `make test`, whose release
# build adds -enable-testing, does not rebuild everything without it.
# The long fuzz run of the .npy and checkpoint readers (20× the corpus `make test` runs:
# 200,000 .npy inputs and 120,000 checkpoint inputs). Needs the test build of `make test`.
FUZZ_SCALE ?= 20
fuzz: deps
	$(SWIFT) build $(TEST_FLAGS) --build-tests
	RICCATI_FUZZ_SCALE=$(FUZZ_SCALE) $(SWIFT) test $(TEST_FLAGS) --skip-build --filter "RobustnessTests|CheckpointTests/fuzz"

bench-smoke: deps
	$(BENCH_PYTHON) bench/run.py --smoke

# Optional peers: a virtual environment with numpy, scipy, jax and diffrax (needs PyPI).
bench-deps:
	python3 -m venv bench/.venv
	bench/.venv/bin/pip install --quiet --upgrade pip
	bench/.venv/bin/pip install --quiet numpy scipy jax diffrax

clean:
	rm -rf .build
