"""Token classification JSONL: one article a line, in the form Hugging Face `transformers`'
token-classification examples read (`tokens`, `ner_tags`), plus where each token is:

    {"id":12,"external_id":"…","tokens":["قال",…],"ner_tags":[0,…],
     "token_offsets":[[0,3],…],"split":"train"}

- the tokens and tags are the CoNLL tokens and NER column (conll.bio_tokens): words cut
  where a span boundary falls inside one, so و + داعش gives "و" (O) and "داعش"
  (B-MILITARY_GROUP); one BIO layer, the longest of overlapping entities kept; claims and
  nested entities are not tagged here (the CoNLL file has them as columns);
- `ner_tags` are indices into `tag_names(entity labels)` ("O", then B-/I- of each label in
  schema order, retired labels included so indices do not move), the ClassLabel names of
  the dataset card and the manifest;
- `token_offsets` are [start, end) code points into the article text of the gold JSONL
  (`text[start:end] == token`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from json.encoder import encode_basestring

from annotate.lib.exports.conll import bio_tokens, conll_layers, tag_names
from annotate.lib.exports.records import GoldRecord

_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def token_lines(
    records: Iterable[GoldRecord], *, entity_labels: Sequence[str], claim_label: str | None = None
) -> Iterator[str]:
    """`claim_label`: the CoNLL file's CLAIM layer also cuts tokens; give the same label to
    get the same tokens."""
    names = tag_names(entity_labels)
    index = {name: str(i) for i, name in enumerate(names)}
    labels = set(entity_labels)
    for record in records:
        text = record.text
        spans, nested, claims, _ = conll_layers(
            record.content.get("spans", []), entity_labels=labels, claim_label=claim_label
        )
        bounds, tags = bio_tokens(text, spans, also_cut=[*nested, *claims])
        tokens = ",".join([encode_basestring(text[start:end]) for start, end in bounds])
        offsets = ",".join([f"[{start},{end}]" for start, end in bounds])
        yield (
            f'{{"id":{_dumps(record.article_id)},"external_id":{_dumps(record.external_id)},'
            f'"tokens":[{tokens}],"ner_tags":[{",".join([index[tag] for tag in tags])}],'
            f'"token_offsets":[{offsets}],"split":{_dumps(record.split)}}}\n'
        )
