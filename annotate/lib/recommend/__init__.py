"""Recommenders: suggestions learnt from a project's own gold. Pure: no Django.

- `arabic`: normalised tokens with maps back to code points, proclitic cuts, token features;
- `gazetteer`: surface forms and labels, matched clitic-aware, longest first;
- `crf`: a conditional random field over tokens (python-crfsuite);
- `evaluate`: the held-out split by article and its scores, computed by the agreement code;
- `external`: the Label Studio ML backend protocol; `addresses`: where a model server may be.
"""
