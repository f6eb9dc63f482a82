"""From an athlete's data to a ranking: scoring, the pipeline, patterns, the plan, the squad's rows."""
