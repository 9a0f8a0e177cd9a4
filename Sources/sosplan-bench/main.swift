// Placeholder: release-build benchmarks.
print("sosplan-bench: no benchmarks yet")
