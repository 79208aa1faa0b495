"""The rules layer: the rules file (every threshold of the checks and queries, with defaults and help text) and the
evaluation date. The queries and the checks read it; it imports only :mod:`graphkit.model`.

>>> from graphkit.rules import Rules
>>> Rules().min_coverage
0.5
"""

from graphkit.rules.thresholds import RULES_HELP, Rules, default_rules_text, load_rules, parse_as_of

__all__ = ["Rules", "RULES_HELP", "load_rules", "default_rules_text", "parse_as_of"]
