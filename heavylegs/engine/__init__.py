"""Daily series and weekly tables of training load, for one athlete or many."""
