"""Pure code of the corpus app: no Django import.

Text canonicalisation, search folding, tokens with offsets, file parsers.
"""
