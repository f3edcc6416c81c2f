"""The county's schools as the evaluation service knows them: a read model fed by the schools service's
events (code and name for rankings and reports; only active schools are ranked)."""
