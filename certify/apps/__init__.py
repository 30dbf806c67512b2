"""What the commands build on the engines: surveys, batches, demos, plots, progress and parallel runs."""
