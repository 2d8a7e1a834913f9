# Chapter 4.4.2: the gradient of simpleNet's loss for the W the book prints.
import sys, os
sys.path.append(os.pardir)
import numpy as np
from common.functions import softmax, cross_entropy_error
from common.gradient import numerical_gradient
from nnscratch.book import simpleNet

net = simpleNet()
net.W = np.array([[0.47355232, 0.9977393, 0.84668094],
                  [0.85557411, 0.03563661, 0.69422093]])
x = np.array([0.6, 0.9])
p = net.predict(x)
print("predict", p, np.argmax(p))
t = np.array([0, 0, 1])
print("loss", net.loss(x, t))
f = lambda w: net.loss(x, t)
dW = numerical_gradient(f, net.W)
print("dW", dW.tolist())
