# Chapter 5.5-5.6: each layer's backward pass against the derivatives of common/functions.py.
import sys, os
sys.path.append(os.pardir)
import numpy as np
from common.layers import *
from common.functions import *

np.random.seed(0)
x = np.array([[1.0, -0.5], [-2.0, 3.0]])
relu_layer = Relu()
out = relu_layer.forward(x)
dout = np.ones_like(x)
print("Relu mask", relu_layer.mask.tolist(), "dx", relu_layer.backward(dout).tolist())
print("relu_grad", relu_grad(x).tolist(), "dout kept", dout.tolist())

sig = Sigmoid()
sig.forward(x)
print("Sigmoid dx - sigmoid_grad", np.max(np.abs(sig.backward(np.ones_like(x)) - sigmoid_grad(x))))

W = 0.01 * np.random.randn(12, 3)
b = np.zeros(3)
affine = Affine(W, b)
x4 = np.random.randn(2, 3, 2, 2)
y = affine.forward(x4)
dx = affine.backward(np.ones_like(y))
print("Affine", y.shape, dx.shape, affine.dW.shape, affine.db.tolist())
W += 1.0  # the layer holds W itself: an in-place update shows in the next forward
print("Affine sees W", np.allclose(affine.forward(x4), y + x4.reshape(2, -1).sum(axis=1)[:, None]))

swl = SoftmaxWithLoss()
t = np.array([[0, 0, 1], [0, 1, 0]])
loss = swl.forward(np.array([[0.3, 2.9, 4.0], [0.3, 2.9, 4.0]]), t)
print("SoftmaxWithLoss", loss, swl.backward().tolist())
