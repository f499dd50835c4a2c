# isthmus build driver. Every target runs Maven on a JDK >= 22 found by bin/find-jdk.
SHELL := /bin/bash
.DEFAULT_GOAL := build

JDK_HOME := $(shell bin/find-jdk)
ifeq ($(JDK_HOME),)
$(error no JDK >= 22 found; see the message above)
endif
export JAVA_HOME := $(JDK_HOME)
export PATH := $(JDK_HOME)/bin:$(PATH)
JVM_FLAGS := $(shell bin/find-jdk --jvm-flags)

MVN ?= mvn
MVN_FLAGS ?= -B -ntp
MAVEN := $(shell command -v $(MVN) 2>/dev/null)

PROXY_JAR := proxy-main/target/isthmus.jar
PERF_JAR := perf/target/isthmus-perf.jar
CONFIG ?= config/isthmus.yaml
JMH_ARGS ?=
FUZZ_ROUNDS ?= 10

# make bench knobs (empty means the suite's default; see perf/README.md).
DURATION ?=
ROUNDS ?=
WORKERS ?=
BENCH_QUICK ?=
QUICK ?= $(BENCH_QUICK)
LOADGEN ?=
TARGETS ?=
RATE ?=
IDLE_CONNS ?=
ISTHMUS_MODE ?=
CPUS ?=
LOAD_THREADS ?=
PERF_JAVA := $(JAVA_HOME)/bin/java $(JVM_FLAGS) -cp $(PERF_JAR)

.PHONY: build test run clean bindings jmh bench bench-deps profile maven-check

maven-check:
	@if [ -z "$(MAVEN)" ]; then echo "Maven 3.8+ is needed: apt-get install maven" >&2; exit 2; fi

build: maven-check
	$(MVN) $(MVN_FLAGS) -DskipTests package

test: maven-check
	$(MVN) $(MVN_FLAGS) verify

run: build
	bin/isthmus --config $(CONFIG)

jmh: build
	$(JAVA_HOME)/bin/java $(JVM_FLAGS) -jar $(PERF_JAR) $(JMH_ARGS)

# Side-by-side suite vs nginx and HAProxy; writes perf/target/bench/report.md, runs.json and latency plots.
bench: build
	$(PERF_JAVA) dev.isthmus.perf.bench.BenchMain --duration "$(DURATION)" --rounds "$(ROUNDS)" \
	  --workers "$(WORKERS)" --load-threads "$(LOAD_THREADS)" --quick "$(QUICK)" --loadgen "$(LOADGEN)" \
	  --targets "$(TARGETS)" --rate "$(RATE)" --cpus "$(CPUS)" \
	  --idle-connections "$(IDLE_CONNS)" --isthmus-mode "$(ISTHMUS_MODE)" --isthmus bin/isthmus \
	  --perf-jar $(PERF_JAR) --out perf/target/bench

# CPU and allocation flame graphs of isthmus under isthmus-load, with async-profiler from its Maven Central jar.
PROFILE_DURATION ?=
profile: build
	$(PERF_JAVA) dev.isthmus.perf.profile.ProfileMain --duration "$(PROFILE_DURATION)" --workers "$(WORKERS)" \
	  --isthmus-mode "$(ISTHMUS_MODE)" --isthmus bin/isthmus --out perf/target/profile

# What make bench compares against, from Debian's packages.
bench-deps:
	@if [ "$$(id -u)" -eq 0 ]; then sudo=; else sudo=sudo; fi; \
	  $$sudo apt-get update && $$sudo apt-get install -y nginx-light haproxy wrk

# Longer fuzzing of the http1 codec than make test does: FUZZ_ROUNDS rounds of every *FuzzTest (each bounded by its
# @FuzzTest maxDuration, the only duration knob jazzer-junit has), each round resuming from the corpus kept in
# http1/target/.cifuzz-corpus. Stops at the first finding; prints the total number of executions.
fuzz: maven-check
	@mkdir -p http1/target; set -o pipefail; total=0; \
	for round in $$(seq 1 $(FUZZ_ROUNDS)); do \
	  echo "fuzz round $$round of $(FUZZ_ROUNDS)"; \
	  $(MVN) $(MVN_FLAGS) -pl http1 test -Dtest='*FuzzTest' -Dsurefire.failIfNoSpecifiedTests=false \
	    > http1/target/fuzz-round.log 2>&1 || { grep -E 'Tests run:|Exception|expected|Test unit written' http1/target/fuzz-round.log; \
	    echo "fuzz: finding in round $$round, see http1/target/fuzz-round.log"; exit 1; }; \
	  runs=$$(grep -oE 'Done [0-9]+ runs' http1/target/fuzz-round.log | awk '{n += $$2} END {print n + 0}'); \
	  echo "  $$runs executions"; total=$$((total + runs)); \
	done; echo "fuzz: $$total executions in $(FUZZ_ROUNDS) rounds, no finding"

# Regenerates native-bindings/src/main/java/dev/isthmus/bindings/generated from include/isthmus_sys.h.
# jextract is not in the package registries this project builds from, so the generated sources are committed.
bindings:
	$(MAKE) -C native-bindings bindings

clean: maven-check
	$(MVN) $(MVN_FLAGS) -q clean
