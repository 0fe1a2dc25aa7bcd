"""Pure code of the annotate app: no Django import, plain data in and out.

Content documents, schemas, overlap plans, merging, agreement maths, export writers and
foreign-format parsers.
"""
