# Chapter 4.4: the gradient of x0^2 + x1^2 at every point of a grid (one point per column).
import sys, os
sys.path.append(os.pardir)
import numpy as np
from common.gradient import numerical_gradient, numerical_gradient_2d


def function_2(x):
    if x.ndim == 1:
        return np.sum(x ** 2)
    return np.sum(x ** 2, axis=1)


x0 = np.arange(-2, 2.5, 0.25)
x1 = np.arange(-2, 2.5, 0.25)
X, Y = np.meshgrid(x0, x1)
X, Y = X.flatten(), Y.flatten()
grad = numerical_gradient(function_2, np.array([X, Y]))
print("grid", grad.shape, "max error", np.max(np.abs(grad - 2 * np.array([X, Y]))))
print("same as numerical_gradient_2d",
      np.array_equal(grad, numerical_gradient_2d(function_2, np.array([X, Y]))))
for point in ([3.0, 4.0], [0.0, 2.0], [3.0, 0.0]):
    print("at", point, numerical_gradient(function_2, np.array(point)))
