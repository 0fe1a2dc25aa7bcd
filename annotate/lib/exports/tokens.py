"""Token classification JSONL: one article a line, in the form Hugging Face `transformers`'
token-classification examples read (`tokens`, `ner_tags`), plus where each token is:

    {"id":12,"external_id":"…","tokens":["قال",…],"ner_tags":[0,…],
     "token_offsets":[[0,3],…],"split":"train"}

- the tokens and tags are the CoNLL ones (conll.bio_tokens): words cut where an entity
  boundary falls inside one, so و + داعش gives "و" (O) and "داعش" (B-MILITARY_GROUP);
  one BIO layer, the longest of overlapping entities kept; claims are not tagged;
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

from annotate.lib.exports.conll import bio_tokens, layer_spans, tag_names
from annotate.lib.exports.records import GoldRecord

_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def token_lines(records: Iterable[GoldRecord], *, entity_labels: Sequence[str]) -> Iterator[str]:
    names = tag_names(entity_labels)
    index = {name: str(i) for i, name in enumerate(names)}
    labels = set(entity_labels)
    for record in records:
        text = record.text
        spans, _ = layer_spans(record.content.get("spans", []), labels=labels)
        bounds, tags = bio_tokens(text, spans)
        tokens = ",".join([encode_basestring(text[start:end]) for start, end in bounds])
        offsets = ",".join([f"[{start},{end}]" for start, end in bounds])
        yield (
            f'{{"id":{_dumps(record.article_id)},"external_id":{_dumps(record.external_id)},'
            f'"tokens":[{tokens}],"ner_tags":[{",".join([index[tag] for tag in tags])}],'
            f'"token_offsets":[{offsets}],"split":{_dumps(record.split)}}}\n'
        )
