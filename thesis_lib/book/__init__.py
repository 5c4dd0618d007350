"""The book's own tooling: ``setup`` (the chapters' setup cell, the execution cache, the check
cells), ``ledger`` (the claims ledger ``results/claims.yml`` and its page), ``checks`` and
``browser`` (the built HTML as a reader sees it) and ``bibstyle`` (numbered citations). It reads
only the package's shared modules, never a model or a study."""
