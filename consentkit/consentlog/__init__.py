"""The consent log: records and their validation (`records`), the durable writer (`writer`),
signed receipts (`receipts`) and the reads the admin and the CLI share (`queries`).
"""
