# The two commands of the README, and a repeat of the browser stages. Each installs what it needs first.
.PHONY: run test bench test-repeat
N ?= 5
run:
	bash scripts/run.sh
test:
	bash scripts/test.sh
bench:
	bash scripts/bench.sh
# The browser and page tests N times over one build (make test-repeat N=5); see scripts/test-repeat.sh.
test-repeat:
	bash scripts/test-repeat.sh $(N)
