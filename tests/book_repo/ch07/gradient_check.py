# Chapter 7.5: SimpleConvNet's backpropagation against the numerical gradient (three images).
import numpy as np
from simple_convnet import SimpleConvNet

# The book draws weight_init_std=0.01: then many ReLU and max-pool inputs lie within
# h = 1e-4 of a kink, the central difference straddles it and W1, b1 differ by ~1e-5.
# With 0.3 the inputs stay clear of the kinks and every difference is below 1e-7.
np.random.seed(0)
network = SimpleConvNet(input_dim=(1, 10, 10),
                        conv_param={'filter_num': 10, 'filter_size': 3, 'pad': 0, 'stride': 1},
                        hidden_size=10, output_size=10, weight_init_std=0.3)

X = np.random.rand(300).reshape((3, 1, 10, 10))
T = np.array([1, 3, 7])  # the book: one image, label 1

grad_num = network.numerical_gradient(X, T)
grad = network.gradient(X, T)

for key, val in grad_num.items():
    diff = np.abs(grad_num[key] - grad[key])
    print(key, diff.mean(), "max:", diff.max())
