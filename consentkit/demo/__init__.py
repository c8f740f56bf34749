"""`consentkit demo`: a Norwegian demo shop, its vendors, and the whole product wired to it."""
