/** Benchmarks of the job's parser, operators and state; bench/run.sh runs them. */
package io.capwatch.bench;
