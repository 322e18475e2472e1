"""Training without a screen: the loop and greedy evaluation, experience collectors, the
one way to make an agent for an env, and hyperparameter sweeps."""
