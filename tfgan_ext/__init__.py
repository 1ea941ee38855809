"""tfgan_ext: a TF 2 reproduction of TF-GAN's SAGAN baseline plus the losses and
training monitors of four GAN papers (MHGAN, aw-loss, MAGAN, SQD)."""

__version__ = "0.1.0"
