"""Subprocess entry of tests/test_gan.py: a mirrored `fit`, and a `fit` with
BackupAndRestore that can be killed.

python -m tests.gan_worker mirrored OUT_DIR
python -m tests.gan_worker backup OUT_DIR KILL_AFTER_EPOCH (-1: never)

Prints one JSON line.
"""

import json
import os
import signal
import sys


def mirrored(out_dir):
  from tfgan_ext.train.strategies import configure_cpu_devices
  configure_cpu_devices(2)
  import keras
  import numpy as np
  import tensorflow as tf
  from tests import gan_nets
  from tfgan_ext.gan import GAN
  strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
  with strategy.scope():
    keras.utils.set_random_seed(0)
    gan = GAN(discriminator=gan_nets.discriminator(),
              generator=gan_nets.generator(), aw=True)
    gan.compile(d_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.0),
                g_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.0),
                ema_decay=0.9, jit_compile=False)
  history = gan.fit(gan_nets.dataset(batch=8, count=32), epochs=1, verbose=0)
  kernel = gan.discriminator.trainable_variables[0]
  copies = [v.numpy() for v in kernel.value.values]
  print(json.dumps({
      "replicas": strategy.num_replicas_in_sync,
      "train_steps": int(gan.train_steps.numpy()),
      "replica_copies_equal": bool(np.array_equal(copies[0], copies[1])),
      "d_loss": history.history["d_loss"]}))



def backup(out_dir, kill_after):
  import keras
  import numpy as np
  from tests import gan_nets
  from tfgan_ext.gan import GAN
  os.makedirs(out_dir, exist_ok=True)

  class EpochLog(keras.callbacks.Callback):
    def on_epoch_begin(self, epoch, logs=None):
      with open(os.path.join(out_dir, "epochs.txt"), "a") as f:
        f.write(f"{epoch}\n")

  class Kill(keras.callbacks.Callback):
    def on_epoch_end(self, epoch, logs=None):
      if epoch == kill_after:
        os.kill(os.getpid(), signal.SIGKILL)

  keras.utils.set_random_seed(0)
  gan = GAN(discriminator=gan_nets.discriminator(),
            generator=gan_nets.generator(), loss="hinge")
  gan.compile(d_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.0),
              g_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.0),
              jit_compile=False)
  gan.fit(gan_nets.dataset(batch=8, count=16), epochs=4, verbose=0,
          callbacks=[keras.callbacks.BackupAndRestore(
              os.path.join(out_dir, "backup")), EpochLog(), Kill()])
  weights = {v.path: v.numpy() for v in gan.weights}
  weights["d_optimizer_iterations"] = gan.d_optimizer.iterations.numpy()
  np.savez(os.path.join(out_dir, "final.npz"), **weights)
  print(json.dumps({"train_steps": int(gan.train_steps.numpy())}))


if __name__ == "__main__":
  if sys.argv[1] == "mirrored":
    mirrored(sys.argv[2])
  else:
    backup(sys.argv[2], int(sys.argv[3]))
