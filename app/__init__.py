"""The station's core: domain, database, roster, reports and the `station` command.

Nothing in this package imports Qt; it runs headless and is what the window, the
command line, the tests and the benchmarks all drive.
"""

__version__ = "0.1.0"
