"""What a person reads: HTML fragments, figures, the athlete's dashboard and the plan's pages."""
