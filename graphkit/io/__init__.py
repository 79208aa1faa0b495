"""The io layer: every file door of a dataset, in and out.

``read`` dispatches a source to ``csv`` (a folder, a file or a zip of CSVs), ``xlsx`` (a workbook) or ``rdf``
(graphkit's Turtle and JSON-LD); ``tables`` holds what the readers share; ``load`` validates and indexes what was
read; ``export``, ``template`` and ``files`` (atomic writes) go the other way; ``application`` reads an application
workbook. It imports only :mod:`graphkit.model` (and the base modules).
"""
