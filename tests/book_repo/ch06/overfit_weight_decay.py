# Chapter 6.4.1-6.4.2: overfitting 300 training images, without and with weight decay.
import sys, os
sys.path.append(os.pardir)
import numpy as np
from dataset.mnist import load_mnist
from common.multi_layer_net import MultiLayerNet
from common.optimizer import SGD

(x_train, t_train), (x_test, t_test) = load_mnist(normalize=True)
x_train, t_train = x_train[:300], t_train[:300]
x_test, t_test = x_test[:2000], t_test[:2000]  # the book: all 10,000
max_epochs = 201
train_size = x_train.shape[0]
batch_size = 100
iter_per_epoch = max(train_size / batch_size, 1)

for weight_decay_lambda in (0, 0.1):
    np.random.seed(0)
    network = MultiLayerNet(input_size=784, hidden_size_list=[100, 100, 100, 100, 100, 100],
                            output_size=10, weight_decay_lambda=weight_decay_lambda)
    optimizer = SGD(lr=0.01)
    train_acc_list, test_acc_list = [], []
    epoch_cnt = 0
    for i in range(1000000000):
        batch_mask = np.random.choice(train_size, batch_size)
        x_batch, t_batch = x_train[batch_mask], t_train[batch_mask]
        grads = network.gradient(x_batch, t_batch)
        optimizer.update(network.params, grads)
        if i % iter_per_epoch == 0:
            train_acc_list.append(network.accuracy(x_train, t_train))
            test_acc_list.append(network.accuracy(x_test, t_test))
            epoch_cnt += 1
            if epoch_cnt >= max_epochs:
                break
    print("weight_decay_lambda:" + str(weight_decay_lambda) + ", train acc:"
          + str(train_acc_list[-1]) + ", test acc:" + str(test_acc_list[-1]))
