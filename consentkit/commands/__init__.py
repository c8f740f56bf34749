"""CLI subcommands, one module per area; `consentkit.cli` assembles them."""
