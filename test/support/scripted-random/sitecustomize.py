# Test support, loaded by Python at start-up when this directory is on PYTHONPATH: when
# SCRIPTED_RANDINT names a file of integers, random.randint returns them in turn (each call takes
# the first), so that two runs of a coin-flipping pipeline (kfp's and kfpdsl's) flip the same coins.
import fcntl
import os
import random

_script = os.environ.get("SCRIPTED_RANDINT")
if _script:
    def _scripted_randint(a, b):
        with open(_script, "r+") as f:
            # Tasks may run at once (kfpdsl run): one takes a value at a time.
            fcntl.flock(f, fcntl.LOCK_EX)
            values = f.read().split()
            if not values:
                raise RuntimeError("SCRIPTED_RANDINT: the script is used up")
            f.seek(0)
            f.truncate()
            f.write(" ".join(values[1:]))
        return int(values[0])

    random.randint = _scripted_randint
