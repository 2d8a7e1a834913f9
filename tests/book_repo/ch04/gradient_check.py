# Chapter 4.5: the numerical gradient of the two-layer net against its analytic gradient.
import sys, os
sys.path.append(os.pardir)
import numpy as np
from dataset.mnist import load_mnist
from two_layer_net import TwoLayerNet

(x_train, t_train), (x_test, t_test) = load_mnist(normalize=True, one_hot_label=True)
np.random.seed(0)
network = TwoLayerNet(input_size=784, hidden_size=10, output_size=10)  # 50 in the book
x_batch, t_batch = x_train[:3], t_train[:3]
grad_numerical = network.numerical_gradient(x_batch, t_batch)
grad_backprop = network.gradient(x_batch, t_batch)
for key in grad_numerical.keys():
    diff = np.max(np.abs(grad_backprop[key] - grad_numerical[key]))
    print(key + ":" + str(diff))
