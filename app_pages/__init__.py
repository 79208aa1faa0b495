"""The pages of the graphkit app (one module per page) and what they share: texts, state keys, caches, widgets."""
