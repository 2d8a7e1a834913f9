# Chapter 6.4.3: overfitting 300 training images, without and with dropout, by the Trainer.
import sys, os
sys.path.append(os.pardir)
import numpy as np
from dataset.mnist import load_mnist
from common.multi_layer_net_extend import MultiLayerNetExtend
from common.trainer import Trainer

(x_train, t_train), (x_test, t_test) = load_mnist(normalize=True)
x_train, t_train = x_train[:300], t_train[:300]
epochs = 301

for use_dropout in (False, True):
    np.random.seed(0)
    network = MultiLayerNetExtend(input_size=784, hidden_size_list=[100, 100, 100, 100, 100, 100],
                                  output_size=10, use_dropout=use_dropout, dropout_ration=0.2)
    trainer = Trainer(network, x_train, t_train, x_test, t_test, epochs=epochs,
                      mini_batch_size=100, optimizer='sgd', optimizer_param={'lr': 0.01},
                      evaluate_sample_num_per_epoch=2000, verbose=False)  # the book: all
    trainer.train()
    print("use_dropout:" + str(use_dropout) + ", train acc:" + str(trainer.train_acc_list[-1])
          + ", test acc:" + str(trainer.test_acc_list[-1])
          + ", epochs:" + str(len(trainer.test_acc_list)))
