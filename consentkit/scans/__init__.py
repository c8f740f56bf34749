"""Scans and what they found: stored scans (`store`), scanning a site's origins (`site_scan`),
the inventory merged from the latest scans (`inventory`), what changed between scans (`diff`),
the owner's review queue (`review_queue`) and notifications (`notify`).
"""
