# Chapter 7.6.1 (figure 7-26 style): the trained filters applied to an image by Convolution.
# The book filters a photograph; this applies them to the first MNIST test digit.
import sys, os
sys.path.append(os.pardir)
import numpy as np
import matplotlib.pyplot as plt
from simple_convnet import SimpleConvNet
from dataset.mnist import load_mnist
from common.layers import Convolution

network = SimpleConvNet(input_dim=(1, 28, 28),
                        conv_param={'filter_num': 30, 'filter_size': 5, 'pad': 0, 'stride': 1},
                        hidden_size=100, output_size=10, weight_init_std=0.01)
network.load_params("params.pkl")  # after train_convnet.py

(x_train, t_train), (x_test, t_test) = load_mnist(flatten=False)
img = x_test[0].reshape(1, 1, 28, 28)

fig = plt.figure()
for i in range(16):
    w = network.params['W1'][i]
    b = 0  # network.params['b1'][i]
    w = w.reshape(1, *w.shape)
    conv_layer = Convolution(w, b)
    out = conv_layer.forward(img)
    out = out.reshape(out.shape[2], out.shape[3])
    ax = fig.add_subplot(4, 4, i + 1, xticks=[], yticks=[])
    ax.imshow(out, cmap=plt.cm.gray_r, interpolation='nearest')
fig.savefig("apply_filter.png")  # the book: plt.show()
print("label:", t_test[0], "output:", out.shape, "max response:", out.max())
