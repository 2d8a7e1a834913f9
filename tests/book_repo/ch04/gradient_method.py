# Chapter 4.4.1: gradient descent on x0^2 + x1^2 from (-3, 4), with a good and two bad rates.
import sys, os
sys.path.append(os.pardir)
import numpy as np
from nnscratch.book import gradient_descent


def function_2(x):
    return x[0] ** 2 + x[1] ** 2


for lr in (0.1, 10.0, 1e-10):
    x = gradient_descent(function_2, init_x=np.array([-3.0, 4.0]), lr=lr, step_num=100)
    print("lr", lr, x)
