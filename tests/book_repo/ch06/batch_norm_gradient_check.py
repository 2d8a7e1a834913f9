# Chapter 6.3: the gradient of a network with batch normalization, backprop against numerical.
import sys, os
sys.path.append(os.pardir)
import numpy as np
from dataset.mnist import load_mnist
from common.multi_layer_net_extend import MultiLayerNetExtend

(x_train, t_train), (x_test, t_test) = load_mnist(normalize=True, one_hot_label=True)
np.random.seed(0)
# the book: hidden layers of 100 and 100, one image; smaller here, and three images
network = MultiLayerNetExtend(input_size=784, hidden_size_list=[10, 10], output_size=10,
                              use_batchnorm=True)
x_batch = x_train[:3].astype(np.float64)
t_batch = t_train[:3]
grad_backprop = network.gradient(x_batch, t_batch)
grad_numerical = network.numerical_gradient(x_batch, t_batch)
for key in grad_numerical.keys():
    diff = np.average(np.abs(grad_backprop[key] - grad_numerical[key]))
    worst = np.max(np.abs(grad_backprop[key] - grad_numerical[key]))
    print(key + ":" + str(diff) + " max:" + str(worst))
