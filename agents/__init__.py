"""Learning agents for rltui: tabular methods, DQN, policy gradients and SAC, and their
persistence.

Nothing here imports ``textual`` or ``rich``; a test proves it.
"""

import os

# numpy's BLAS (OpenBLAS) splits every matrix product over all cores. rltui's products are
# small, and on a busy machine a split one waits for a core that is busy elsewhere: a
# 16x256 by 256x256 float32 product took 12.5 ms with OpenBLAS's default threads and one
# other busy process on a 2-core machine, and 95 µs with one thread (torch is held to one
# thread for the same reason, in agents/torch_setup.py). It must be set before numpy loads;
# a value set in the environment wins.
for _name in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")
