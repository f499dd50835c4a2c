# isthmus build driver. Every target runs Maven on a JDK >= 22 found by bin/find-jdk.
SHELL := /bin/bash
.DEFAULT_GOAL := build

JDK_HOME := $(shell bin/find-jdk)
ifeq ($(JDK_HOME),)
$(error no JDK >= 22 found; see the message above)
endif
export JAVA_HOME := $(JDK_HOME)
export PATH := $(JDK_HOME)/bin:$(PATH)

MVN ?= mvn
MVN_FLAGS ?= -B -ntp
MAVEN := $(shell command -v $(MVN) 2>/dev/null)

PROXY_JAR := proxy-main/target/isthmus.jar
PERF_JAR := perf/target/isthmus-perf.jar
CONFIG ?= config/isthmus.yaml
JMH_ARGS ?=

.PHONY: build test run clean bindings jmh maven-check

maven-check:
	@if [ -z "$(MAVEN)" ]; then echo "Maven 3.8+ is needed: apt-get install maven" >&2; exit 2; fi

build: maven-check
	$(MVN) $(MVN_FLAGS) -DskipTests package

test: maven-check
	$(MVN) $(MVN_FLAGS) verify

run: build
	bin/isthmus --config $(CONFIG)

jmh: build
	$(JAVA_HOME)/bin/java --enable-native-access=ALL-UNNAMED -jar $(PERF_JAR) $(JMH_ARGS)

# Regenerates native-bindings/src/main/java/dev/isthmus/bindings/generated from include/isthmus_sys.h.
# jextract is not in the package registries this project builds from, so the generated sources are committed.
bindings:
	$(MAKE) -C native-bindings bindings

clean: maven-check
	$(MVN) $(MVN_FLAGS) -q clean
