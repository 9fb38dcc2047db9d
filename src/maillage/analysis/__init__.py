"""Django-free algorithms: opinion math, text themes, weak signals, graph measures, voting.

Nothing in this package may import Django: services load data, call these functions and store
the plain results.
"""
