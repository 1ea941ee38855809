"""Evaluation metrics: FID, IS, intra-FID, KID, PR/DC, SQD pieces, feature
networks."""

from tfgan_ext.metrics.domain_networks import (ClassifierNetwork,
                                               MixtureNetwork, max_probability)
from tfgan_ext.metrics.feature_networks import (DEFAULT_INCEPTION_URL,
                                                FeatureNetwork,
                                                InceptionNetwork,
                                                cached_statistics,
                                                compute_activations,
                                                hub_cache_folder,
                                                inception_network,
                                                resolve_module_path)
from tfgan_ext.metrics.fid_inception import FIDInceptionNetwork
from tfgan_ext.metrics.fid import fid
from tfgan_ext.metrics.frechet import (activation_statistics, frechet_distance,
                                       frechet_distance_from_stats)
from tfgan_ext.metrics.inception_score import inception_score
from tfgan_ext.metrics.intra_fid import intra_fid
from tfgan_ext.metrics.kid import kernel_inception_distance
from tfgan_ext.metrics.prdc import (knn_sq_radii,
                                    precision_recall_density_coverage)
from tfgan_ext.metrics.sqd import (james_stein_entropy,
                                   nearest_centroid_assignments, weight_angle)

__all__ = [
    "ClassifierNetwork",
    "DEFAULT_INCEPTION_URL",
    "FIDInceptionNetwork",
    "FeatureNetwork",
    "InceptionNetwork",
    "activation_statistics",
    "fid",
    "cached_statistics",
    "compute_activations",
    "frechet_distance",
    "frechet_distance_from_stats",
    "hub_cache_folder",
    "inception_network",
    "inception_score",
    "intra_fid",
    "james_stein_entropy",
    "kernel_inception_distance",
    "knn_sq_radii",
    "max_probability",
    "MixtureNetwork",
    "nearest_centroid_assignments",
    "precision_recall_density_coverage",
    "resolve_module_path",
    "weight_angle",
]
