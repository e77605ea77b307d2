"""Every model family ctml converts: importing this registers them all
(see registry.py). A new family adds one line."""

from . import scalers  # noqa: F401  StandardScaler, MinMaxScaler, MaxAbsScaler, RobustScaler
from . import trees  # noqa: F401  decision trees, random forests, extra trees
from . import nn  # noqa: F401  MLPClassifier, MLPRegressor
from . import torch_nn  # noqa: F401  torch.nn.Sequential (when torch is loaded)
from . import linear  # noqa: F401  linear models, LDA, k-means
from . import bayes  # noqa: F401  naive Bayes
from . import transforms  # noqa: F401  PCA, TruncatedSVD, LDA transform, Normalizer, PolynomialFeatures, Binarizer
from . import svm  # noqa: F401  SVC, NuSVC, SVR, NuSVR, OneClassSVM
from . import neighbors  # noqa: F401  k-nearest neighbours, nearest centroid, LOF
from . import boosting  # noqa: F401  GradientBoosting, HistGradientBoosting, AdaBoost
from . import xgboost_model  # noqa: F401  XGBoost (sklearn API, Booster, .json/.ubj files)
from . import anomaly  # noqa: F401  IsolationForest, EllipticEnvelope, GaussianMixture
from . import dsp  # noqa: F401  ctml.dsp transformers (windows, FFT, mel, dB, DCT, filters, channel stats)
