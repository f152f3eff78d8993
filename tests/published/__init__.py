"""Published cases: numbers from primary sources and expert analyses, and bmdsim's answers to them.

``cases.py`` holds the case definitions (source, published number, assumptions, tolerance and why);
``reference.py`` holds the few independent computations the cases need (unit definitions, a
published formula). ``tests/test_published.py`` runs the cases; ``tools/published_table.py`` prints
the README table from the same definitions.
"""
