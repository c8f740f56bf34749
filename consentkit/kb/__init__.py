"""The cookie knowledge base: JSON data files (see SCHEMA.md), their validation and loading, the
compiled lookup index, and the Open Cookie Database importer for the owner's own layer.

The classifier that uses all this is `consentkit.kb.classifier`.
"""
