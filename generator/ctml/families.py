"""Every model family ctml converts: importing this registers them all
(see registry.py). A new family adds one line."""

from . import scalers  # noqa: F401  StandardScaler, MinMaxScaler, MaxAbsScaler, RobustScaler
from . import trees  # noqa: F401  decision trees, random forests, extra trees
from . import nn  # noqa: F401  MLPClassifier, MLPRegressor
from . import torch_nn  # noqa: F401  torch.nn.Sequential (when torch is loaded)
