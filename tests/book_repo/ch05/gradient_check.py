# Chapter 5.7.3: backpropagation against the numerical gradient on three training images.
import sys, os
sys.path.append(os.pardir)
import numpy as np
from dataset.mnist import load_mnist
from two_layer_net import TwoLayerNet

(x_train, t_train), (x_test, t_test) = load_mnist(normalize=True, one_hot_label=True)
np.random.seed(0)
network = TwoLayerNet(input_size=784, hidden_size=50, output_size=10)
x_batch, t_batch = x_train[:3], t_train[:3]
grad_numerical = network.numerical_gradient(x_batch, t_batch)
grad_backprop = network.gradient(x_batch, t_batch)
for key in grad_numerical.keys():
    diff = np.average(np.abs(grad_backprop[key] - grad_numerical[key]))
    worst = np.max(np.abs(grad_backprop[key] - grad_numerical[key]))
    print(key + ":" + str(diff) + " max:" + str(worst))
