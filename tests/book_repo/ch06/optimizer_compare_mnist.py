# Chapter 6.1.8: SGD, Momentum, AdaGrad and Adam training a 5-layer net on MNIST (shortened).
import sys, os
sys.path.append(os.pardir)
import numpy as np
from dataset.mnist import load_mnist
from common.util import smooth_curve
from common.multi_layer_net import MultiLayerNet
from common.optimizer import *

(x_train, t_train), (x_test, t_test) = load_mnist(normalize=True)
train_size = x_train.shape[0]
batch_size = 128
max_iterations = 500  # the book: 2000
np.random.seed(0)

optimizers = {'SGD': SGD(), 'Momentum': Momentum(), 'AdaGrad': AdaGrad(), 'Adam': Adam()}
networks = {}
train_loss = {}
for key in optimizers.keys():
    networks[key] = MultiLayerNet(input_size=784, hidden_size_list=[100, 100, 100, 100],
                                  output_size=10)
    train_loss[key] = []

for i in range(max_iterations):
    batch_mask = np.random.choice(train_size, batch_size)
    x_batch, t_batch = x_train[batch_mask], t_train[batch_mask]
    for key in optimizers.keys():
        grads = networks[key].gradient(x_batch, t_batch)
        optimizers[key].update(networks[key].params, grads)
        train_loss[key].append(networks[key].loss(x_batch, t_batch))
    if i % 100 == 0:
        print("=========== iteration:" + str(i) + " ===========")
        for key in optimizers.keys():
            print(key + ":" + str(train_loss[key][-1]))

for key in optimizers.keys():
    curve = smooth_curve(train_loss[key])
    print("smoothed " + key + ": first " + str(curve[0]) + " last " + str(curve[-1]))
