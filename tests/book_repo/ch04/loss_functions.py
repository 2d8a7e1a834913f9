# Chapter 4.2: the two losses on the book's example outputs (the answer is "2").
import sys, os
sys.path.append(os.pardir)
import numpy as np
from common.functions import *

t = [0, 0, 1, 0, 0, 0, 0, 0, 0, 0]
y_good = [0.1, 0.05, 0.6, 0.0, 0.05, 0.1, 0.0, 0.1, 0.0, 0.0]
y_bad = [0.1, 0.05, 0.1, 0.0, 0.05, 0.1, 0.0, 0.6, 0.0, 0.0]
print("mean_squared_error", mean_squared_error(np.array(y_good), np.array(t)),
      mean_squared_error(np.array(y_bad), np.array(t)))
print("batch of both", mean_squared_error(np.array([y_good, y_bad]), np.array([t, t])),
      sum_squared_error(np.array([y_good, y_bad]), np.array([t, t])))
print("cross_entropy_error", cross_entropy_error(np.array(y_good), np.array(t)),
      cross_entropy_error(np.array(y_bad), np.array(t)))
print("softmax_loss", softmax_loss(np.array([[0.3, 2.9, 4.0]]), np.array([2])))
