"""Crawls a site in headless Chromium and inventories its cookies and storage."""
