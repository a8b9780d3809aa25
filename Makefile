# RiccatiKit. `make test` and `make run` install the system libraries they need (Debian/Ubuntu).
SWIFT ?= swift
APT_PACKAGES = libopenblas-dev liblapacke-dev

.PHONY: deps build release run test notebooks clean

# Installs OpenBLAS (CBLAS) and LAPACKE when the Debian packages are missing. Uses sudo when not root.
deps:
	@if ! dpkg -s $(APT_PACKAGES) >/dev/null 2>&1; then \
		echo "Installing $(APT_PACKAGES) ..."; \
		SUDO=""; [ "$$(id -u)" -ne 0 ] && SUDO="sudo"; \
		$$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(APT_PACKAGES); \
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

test: deps
	$(SWIFT) build $(TEST_FLAGS) --build-tests
	$(SWIFT) test $(TEST_FLAGS) --skip-build

# Executes the notebooks (their examples run for real) and exports HTML and Markdown+PNG into
# notebooks-export/. Needs PyPI; not part of `make test`.
notebooks: deps
	bash notebooks/build.sh

clean:
	rm -rf .build
