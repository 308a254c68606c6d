"""The console adapter: one channel in a terminal, a simulated clock, scripts."""
