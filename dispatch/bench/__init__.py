"""Benchmarks and their data (not part of the engine core): Solomon/VRPLIB reader and
independent checker, generated inspection days, merge latency, large-instance comparison."""
