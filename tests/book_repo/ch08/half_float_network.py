# Chapter 8.3.4: the trained DeepConvNet with its weights and inputs rounded to float16.
import sys, os
sys.path.append(os.pardir)
import numpy as np
from deep_convnet import DeepConvNet
from dataset.mnist import load_mnist

(x_train, t_train), (x_test, t_test) = load_mnist(flatten=False)

network = DeepConvNet()
network.load_params("deep_convnet_params.pkl")  # after train_deepnet.py

sampled = 500  # the book: 10000
x_test = x_test[:sampled]
t_test = t_test[:sampled]

print("caluculate accuracy (float64) ... ")
print(network.accuracy(x_test, t_test))

# As the book: the values are rounded in place, the arrays keep float64, so the
# arithmetic stays float64 and only the precision of the numbers stored drops.
for dtype in (np.float32, np.float16):
    x_test = x_test.astype(dtype)
    for param in network.params.values():
        param[...] = param.astype(dtype)
    print("caluculate accuracy (" + np.dtype(dtype).name + ") ... ")
    print(network.accuracy(x_test, t_test))
