# Chapter 4.5.2-4.5.3: mini-batch training of the two-layer net (shortened: 2 epochs, not 17).
import sys, os
sys.path.append(os.pardir)
import numpy as np
from dataset.mnist import load_mnist
from two_layer_net import TwoLayerNet

(x_train, t_train), (x_test, t_test) = load_mnist(normalize=True, one_hot_label=True)
np.random.seed(0)
network = TwoLayerNet(input_size=784, hidden_size=50, output_size=10)

iters_num = 1200  # the book: 10000
train_size = x_train.shape[0]
batch_size = 100
learning_rate = 0.1
train_loss_list = []
iter_per_epoch = max(train_size / batch_size, 1)

for i in range(iters_num):
    batch_mask = np.random.choice(train_size, batch_size)
    x_batch, t_batch = x_train[batch_mask], t_train[batch_mask]
    grad = network.gradient(x_batch, t_batch)
    for key in ('W1', 'b1', 'W2', 'b2'):
        network.params[key] -= learning_rate * grad[key]
    train_loss_list.append(network.loss(x_batch, t_batch))
    if (i + 1) % iter_per_epoch == 0:
        train_acc = network.accuracy(x_train, t_train)
        test_acc = network.accuracy(x_test, t_test)
        print("train acc, test acc | " + str(train_acc) + ", " + str(test_acc))
print("first loss, last loss | " + str(train_loss_list[0]) + ", "
      + str(np.mean(train_loss_list[-100:])))
