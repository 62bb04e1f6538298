from bench import watch  # noqa: F401  (adds its benchmark to EXTRA_BENCHMARKS)
from bench.harness import main

main()
