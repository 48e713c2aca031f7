"""A partly right submission: every gradient is right except b2's, averaged instead of summed."""

import numpy as np

# d/d(out) of (target - out)^2
SQUARED_ERROR_DERIVATIVE = "-2*(target - out)"


def critic_gradients(states, td_target, W1, b1, W2, b2):
    """Gradients of mean((td_target - out)^2) with respect to W1, b1, W2, b2."""
    z = states @ W1 + b1
    h = np.maximum(z, 0.0)
    out = h @ W2 + b2
    d_out = -2.0 * (td_target - out) / out.size
    dW2 = h.T @ d_out
    db2 = d_out.mean(axis=0)  # the bias is added to every row: its gradient is the sum
    d_z = (d_out @ W2.T) * (z > 0)
    dW1 = states.T @ d_z
    db1 = d_z.sum(axis=0)
    return dW1, db1, dW2, db2
