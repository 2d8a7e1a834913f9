# Chapter 3.4.3: the toy three-layer network and its forward pass.
import sys, os
sys.path.append(os.pardir)
import numpy as np
from common.functions import *
from ch03_network import init_network, forward

network = init_network()
x = np.array([1.0, 0.5])
y = forward(network, x)
print("forward", y)
