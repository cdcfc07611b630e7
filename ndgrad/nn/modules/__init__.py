"""Layers of ``ndgrad.nn``, one file per family as in PyTorch."""
from .module import Module
from .container import Sequential, ModuleList, ModuleDict, ParameterList, ParameterDict
from .linear import Identity, Linear, Bilinear
from .flatten import Flatten, Unflatten
from .conv import Conv1d, Conv2d, Conv3d
from .pooling import MaxPool1d, MaxPool2d, AvgPool1d, AvgPool2d, AdaptiveAvgPool1d, AdaptiveAvgPool2d
from .sparse import Embedding
from .dropout import AlphaDropout, Dropout, Dropout1d, Dropout2d, Dropout3d, FeatureAlphaDropout
from .normalization import BatchNorm1d, BatchNorm2d, LayerNorm, GroupNorm
from .rnn import RNNBase, RNN, LSTM, GRU, RNNCellBase, RNNCell, LSTMCell, GRUCell
from .activation import (ReLU, ReLU6, LeakyReLU, ELU, SELU, CELU, GELU, SiLU, Mish, Sigmoid, Tanh, Softmax,
                         LogSoftmax, Softmin, Softplus, Hardtanh, Hardsigmoid, Hardswish, LogSigmoid, Softsign,
                         Tanhshrink, PReLU, GLU, Threshold, Softshrink, Hardshrink, PixelShuffle, PixelUnshuffle)
from .padding import (ConstantPad1d, ConstantPad2d, ConstantPad3d, ZeroPad1d, ZeroPad2d, ZeroPad3d, ReflectionPad1d,
                      ReflectionPad2d, ReplicationPad1d, ReplicationPad2d, ReplicationPad3d, CircularPad1d,
                      CircularPad2d, Upsample, UpsamplingNearest2d, UpsamplingBilinear2d, Unfold, Fold)
from .loss import (L1Loss, MSELoss, SmoothL1Loss, HuberLoss, NLLLoss, CrossEntropyLoss, BCELoss,
                   BCEWithLogitsLoss, KLDivLoss)

__all__ = [k for k in dir() if k[0].isupper()]
