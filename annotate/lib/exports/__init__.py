"""Dataset export writers. Pure: plain records in, lines and bytes out; no Django.

- records.py: the plain records the query layer feeds in, and running counts for the manifest;
- split.py: deterministic train/dev/test assignment by content hash (or group) and seed;
- card.py: the dataset card README.md whose YAML header `datasets.load_dataset` reads;
- jsonl.py: gold JSONL (one article a line) and raw per-annotator JSONL;
- conll.py: CoNLL-style BIO, tokens split where an entity boundary falls inside a word;
- tokens.py: token classification JSONL (tokens, ner_tags, token_offsets), CoNLL's tokens;
- stance_csv.py: article id, target, label;
- provenance.py: per gold article its source, adjudicator, time and who supported each span;
- manifest.py: manifest.json (schema, label set, counts, options, SHA-256 of every file);
- archive.py: a deterministic zip written as a stream.

The thin query layer that feeds these from the database is annotate/exports.py.
"""

FORMATS = ("jsonl", "conll", "tokens", "csv", "provenance", "raw")
# Every format is written as one file per split (train, dev, test): gold JSONL at the top of
# the zip, where the dataset card's default configuration finds it, the others in a folder
# each.
_FILE_PATTERNS = {
    "jsonl": "{split}.jsonl",
    "conll": "conll/{split}.conll",
    # The CoNLL file's side file: what article each -DOCSTART- begins.
    "conll_articles": "conll/{split}.articles.jsonl",
    "tokens": "tokens/{split}.jsonl",
    "csv": "stance/{split}.csv",
    "raw": "raw/{split}.jsonl",
    "provenance": "provenance/{split}.jsonl",
}
MANIFEST_NAME = "manifest.json"
CARD_NAME = "README.md"
# Bumped whenever a file's layout changes, so training code can tell exports apart.
# 2: one file per split, split keyed on the content hash, dataset card, token classification,
#    CoNLL-2003-style CoNLL (-DOCSTART-, no comments, NESTED and CLAIM columns).
EXPORT_FORMAT_VERSION = 2


def file_name(format: str, split: str) -> str:
    """The zip member holding `format` for `split`."""
    return _FILE_PATTERNS[format].format(split=split)
