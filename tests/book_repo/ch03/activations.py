# Chapter 3.2: the step function, the sigmoid and ReLU at a few points.
import sys, os
sys.path.append(os.pardir)
import numpy as np
from common.functions import step_function, sigmoid, relu, identity_function

x = np.array([-1.0, 1.0, 2.0])
print("step_function", step_function(x), step_function(x).dtype)
print("sigmoid", sigmoid(x))
print("relu", relu(np.array([-1.0, 0.0, 2.5])))
print("identity_function", identity_function(x))
