"""Dataset export writers. Pure: plain records in, lines and bytes out; no Django.

- records.py: the plain records the query layer feeds in, and running counts for the manifest;
- split.py: deterministic train/dev/test assignment by article id and seed;
- jsonl.py: gold JSONL (one article a line) and raw per-annotator JSONL;
- conll.py: CoNLL-style BIO, tokens split where an entity boundary falls inside a word;
- stance_csv.py: article id, target, label;
- manifest.py: manifest.json (schema, label set, counts, options, SHA-256 of every file);
- archive.py: a deterministic zip written as a stream.

The thin query layer that feeds these from the database is annotate/exports.py.
"""

FORMATS = ("jsonl", "conll", "csv", "raw")
FILE_NAMES = {
    "jsonl": "gold.jsonl",
    "conll": "gold.conll",
    "csv": "stance.csv",
    "raw": "raw.jsonl",
}
MANIFEST_NAME = "manifest.json"
# Bumped whenever a file's layout changes, so training code can tell exports apart.
EXPORT_FORMAT_VERSION = 1
