"""The sequence recommender, pure: proclitic-aware tags, two layers, a model that outlives
the bytes it was read from."""

import gc

from annotate.lib.recommend import crf
from annotate.lib.recommend.arabic import norm_tokens

TEXT = "قال إن وداعش هاجم حلب. ثم انسحب تنظيم داعش من الرقة. «إن الهجوم فشل» قال المتحدث."


def spans():
    daesh = TEXT.index("داعش")
    second = TEXT.index("داعش", daesh + 1)
    claim = TEXT.index("إن الهجوم")
    return [
        (daesh, daesh + 4, "MG"),
        (TEXT.index("حلب"), TEXT.index("حلب") + 3, "GPE"),
        (second, second + 4, "MG"),
        (TEXT.index("الرقة"), TEXT.index("الرقة") + 5, "GPE"),
        (claim, claim + len("إن الهجوم فشل"), "CLAIM"),
    ]


def test_a_span_inside_a_word_is_tagged_with_its_proclitic_cut():
    tokens = norm_tokens(TEXT)
    words = [TEXT[t.start : t.end] for t in tokens]
    tags = dict(zip(words, crf._tags(tokens, spans()[:4]), strict=True))
    assert tags["وداعش"] == "B1-MG"
    assert tags["داعش"] == "B0-MG"
    assert tags["الرقة"] == "B0-GPE"
    assert tags["هاجم"] == "O"


def test_the_layers_learn_entities_and_claims_and_suggest_on_the_bare_word():
    documents = [crf.Document(TEXT, spans())] * 6
    data = crf.train_layers(documents, claim_label="CLAIM")
    model = crf.LayeredModel(bytes(bytearray(data)))  # from a copy that goes away
    gc.collect()
    assert model.labels() == {"MG", "GPE", "CLAIM"}
    found = {(TEXT[s.start : s.end], s.label) for s in model.suggest(TEXT)}
    assert ("داعش", "MG") in found  # inside وداعش: the proclitic stays out
    assert ("إن الهجوم فشل", "CLAIM") in found
    assert {s.label for s in model.suggest(TEXT, labels=["GPE"])} == {"GPE"}
    margins = model.token_margins(TEXT)
    assert len(margins) == len(norm_tokens(TEXT)) and all(0 <= m <= 1 for m in margins)


def test_nothing_to_learn_gives_an_empty_model_that_suggests_nothing():
    data = crf.train_layers([crf.Document("نص بلا أسماء.", [])], claim_label="CLAIM")
    model = crf.LayeredModel(data)
    assert model.labels() == set() and model.suggest("نص بلا أسماء.") == []
