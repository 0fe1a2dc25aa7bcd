"""Inter-annotator agreement: pure maths on plain data, no Django.

- score.py: a value or an explicit "undefined" with its reason;
- labels.py: Cohen's kappa per pair, Fleiss' kappa, Krippendorff's alpha (the `krippendorff`
  package), observed agreement, on categorical labels (stance per target);
- spans.py: exact and overlap span matching, P/R/F1, BIO tags (the reference definitions);
- tokens.py: the corpus tokenizer's boundaries, fast;
- batch.py: spans.py's definitions computed for many articles at once with numpy;
- claims.py: claim attributes (claimant, stance, check-worthiness) on matched claims;
- unitizing.py: Krippendorff's unitizing alpha (αU) of spans, all annotators at once, per
  label and over all labels (Krippendorff 2004), vectorised over every article;
- documents.py: the plain input (one submitted annotation);
- pairwise.py: span, token and claim tallies of every annotator pair, all articles at once;
- report.py: the whole report as dataclasses (AgreementReport), its JSON document and back;
- codec.py: dataclasses to JSON objects and back, by their fields and types (as_dict/from_dict);
- svg.py: server-rendered charts.

annotate/agreement.py feeds this package from the database and caches the report.
"""
