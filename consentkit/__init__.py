"""consentkit: self-hosted cookie consent manager with a scanner."""
__version__ = "0.1.0"
