# Chapter 4.3.2: the numerical derivative of 0.01 x^2 + 0.1 x at 5 and 10.
import sys, os
sys.path.append(os.pardir)
import numpy as np
from common.gradient import *


def function_1(x):
    return 0.01 * x ** 2 + 0.1 * x


print("numerical_diff", numerical_diff(function_1, 5), numerical_diff(function_1, 10))
